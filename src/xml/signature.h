// Enveloped XML signatures (XML-DSig) the way SAML uses them (SAML Core §5.4): made and checked
// by xmlsec1 over libxml2, never by hand. Verification is strict, to defeat signature wrapping:
// one signature on the signed element, a direct child of it, and none outside it (those inside,
// as an Assertion's in a signed Response, are covered by its digest), whose one
// reference points at that element's ID, which no other element shares; only exclusive c14n and
// the enveloped transform; keys given by the caller only, never taken from the document.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "xml/document.h"

namespace gh::xml {

// A private RSA key with its certificate, parsed once: reading PEM costs more than the RSA
// signature itself, and the IdP signs every assertion and logout message with the same key.
// Thread-safe: signatures only read the key.
class SigningCredential {
 public:
  static Result<SigningCredential> Load(std::string_view private_key_pem,
                                        std::string_view certificate_pem);

  // Signs `element` (which must carry an `ID` attribute) with RSA-SHA256 over an exclusive-c14n,
  // SHA-256 reference, placing the signature right after `insert_after` (its Issuer) as the SAML
  // schema orders it, with the certificate in KeyInfo.
  Result<void> SignEnveloped(XmlDocument& doc, Node* element, Node* insert_after) const;

 private:
  struct Key;
  explicit SigningCredential(std::shared_ptr<const Key> key) : key_(std::move(key)) {}
  std::shared_ptr<const Key> key_;
};

// SigningCredential::Load(...)->SignEnveloped(...), for a one-off signature.
Result<void> SignEnveloped(XmlDocument& doc, Node* element, Node* insert_after,
                           std::string_view private_key_pem, std::string_view certificate_pem);

// Whether `element` holds a signature at all (as a direct child).
bool HasSignature(const Node* element);

// Verifies the signature of `element` against any of `certificates_pem`. Accepts RSA-SHA256/384/
// 512 and ECDSA-SHA256 signatures with SHA-256/384/512 digests; SHA-1 is refused.
// kUnauthenticated when it does not verify or breaks a rule above.
Result<void> VerifyEnveloped(XmlDocument& doc, Node* element,
                             std::span<const std::string> certificates_pem);

}  // namespace gh::xml
