// The SAML bindings Gatehouse speaks (SAML Bindings §3.2 SOAP, §3.4 HTTP-Redirect, §3.5
// HTTP-POST): taking a message out of an HTTP request, bounded before anything is parsed, and
// putting one into a redirect URL, a form or a SOAP body. Redirect signatures are made and checked
// over the exact query octets (§3.4.4.1), so any percent-encoding a sender chose still verifies.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/params.h"
#include "core/result.h"
#include "crypto/certificate.h"
#include "crypto/signing_key.h"

namespace gh::saml {

// Bounds on what a binding accepts: a message larger than this, before or after inflation, is
// refused without being parsed.
inline constexpr std::size_t kMaxMessageBytes = 128 * 1024;
// RelayState is opaque and echoed; Bindings §3.4.3 caps it at 80 bytes, which some SPs exceed.
inline constexpr std::size_t kMaxRelayStateBytes = 512;

// The signature of an HTTP-Redirect message: what was signed and with what.
struct RedirectSignature {
  std::string sig_alg;
  std::string signed_octets;  // SAMLRequest=…&RelayState=…&SigAlg=… exactly as received
  std::string signature;      // raw bytes
  // Whether one of `certificates` verifies it.
  bool VerifiedBy(std::span<const crypto::Certificate> certificates) const;
};

// A message as a binding delivered it, not yet verified.
struct InboundMessage {
  std::string binding;     // kBinding*
  bool is_request = true;  // SAMLRequest (else SAMLResponse)
  std::string xml;
  std::optional<std::string> relay_state;
  std::optional<RedirectSignature> redirect_signature;  // HTTP-Redirect only, when signed
};

// From the raw query of a GET. kInvalidArgument for a malformed or oversized message, a repeated
// parameter, both or neither of SAMLRequest/SAMLResponse, a Signature without SigAlg, an
// encoding other than DEFLATE, a RelayState that is not plain text.
Result<InboundMessage> DecodeRedirect(std::string_view raw_query);
// From the form fields of a POST.
Result<InboundMessage> DecodePost(const Params& form);
// From the body of a SOAP POST (the message is the body's element, still in its envelope).
Result<InboundMessage> DecodeSoap(std::string_view body);

// The URL that carries `xml` to `endpoint` over HTTP-Redirect, signed with `key` (RSA-SHA256).
Result<std::string> EncodeRedirect(std::string_view endpoint, bool is_request, std::string_view xml,
                                   const std::optional<std::string>& relay_state,
                                   const crypto::SigningKey& key);
// The form fields that carry `xml` over HTTP-POST (the XML signed by the caller).
Params EncodePost(bool is_request, std::string_view xml,
                  const std::optional<std::string>& relay_state);

// Raw DEFLATE (RFC 1951) as the Redirect binding uses it; Inflate refuses output beyond `limit`.
std::string Deflate(std::string_view data);
Result<std::string> Inflate(std::string_view data, std::size_t limit);

}  // namespace gh::saml
