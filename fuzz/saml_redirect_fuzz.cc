// The SAML HTTP-Redirect binding: raw query → bounded inflate → safe XML parse → the message
// codecs, as /saml/sso and /saml/slo run them on a GET before any signature is known.
#include "fuzz_input.h"
#include "saml/bindings.h"
#include "saml/messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto inbound = gh::saml::DecodeRedirect(gh::fuzz::AsText(data, size));
  if (!inbound.ok()) return 0;
  if (inbound->xml.size() > gh::saml::kMaxMessageBytes) __builtin_trap();
  auto doc = gh::xml::XmlDocument::Parse(inbound->xml);
  if (!doc.ok()) return 0;
  (void)gh::saml::ReadIssuer(doc->root());
  (void)gh::saml::ParseAuthnRequest(doc->root());
  (void)gh::saml::ParseLogoutRequest(doc->root());
  (void)gh::saml::ParseLogoutResponse(doc->root());
  return 0;
}
