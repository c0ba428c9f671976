// X.509 certificates as SAML uses them: the IdP's own, self-signed for its signing key and
// published in metadata, and the service providers' from their metadata, whose public keys
// verify HTTP-Redirect binding signatures (SAML Bindings §3.4.4.1) over raw query octets.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"

namespace gh::crypto {

class Certificate {
 public:
  // From PEM, or from the base64 DER of a metadata <ds:X509Certificate> (whitespace allowed).
  // kInvalidArgument when it is not a certificate.
  static Result<Certificate> FromPem(std::string_view pem);
  static Result<Certificate> FromBase64Der(std::string_view text);

  std::string Pem() const;
  std::string Base64Der() const;  // one line, as metadata carries it

  // Verifies `signature` over `data` with this certificate's key, for a SAML SigAlg URI:
  // rsa-sha256/384/512 or ecdsa-sha256. false for any other algorithm (SHA-1 included).
  bool Verify(std::string_view sig_alg_uri, std::string_view data,
              std::string_view signature) const;

  // Takes ownership of an OpenSSL X509 (freed with X509_free).
  static Certificate FromX509(std::shared_ptr<void> x509);

 private:
  explicit Certificate(std::shared_ptr<void> x509) : x509_(std::move(x509)) {}
  std::shared_ptr<void> x509_;  // X509, freed with X509_free
};

// A self-signed certificate for `key`, reproducible: the same key, name and start give the same
// bytes (RSA PKCS#1 v1.5 signatures are deterministic, the serial derives from the kid), so the
// metadata SPs pin does not change when the server restarts. Valid for 20 years from
// `not_before`; SAML peers trust it by pinning, not by its dates or issuer.
Result<Certificate> SelfSignedCertificate(const SigningKey& key, std::string_view common_name,
                                          TimePoint not_before);

}  // namespace gh::crypto
