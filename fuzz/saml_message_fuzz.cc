// SAML messages as the HTTP-POST and SOAP bindings deliver them: XML parse (no DTD, no entities),
// the SOAP envelope, the message codecs and the signature checks (with a fixed certificate, so
// every input takes the verification path as far as its shape allows).
#include "crypto/certificate.h"
#include "fuzz_input.h"
#include "saml/messages.h"
#include "xml/signature.h"

namespace {

const std::vector<std::string>& Certificates() {
  static const std::vector<std::string> pems = [] {
    auto key = *gh::crypto::SigningKey::Generate(gh::crypto::JwsAlg::kRS256, "fuzz");
    auto cert = *gh::crypto::SelfSignedCertificate(key, "fuzz", gh::FromUnixSeconds(1'700'000'000));
    return std::vector<std::string>{cert.Pem()};
  }();
  return pems;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = gh::xml::XmlDocument::Parse(gh::fuzz::AsText(data, size));
  if (!doc.ok()) return 0;
  for (bool soap : {false, true}) {
    auto element = gh::saml::MessageElement(*doc, soap);
    if (!element.ok()) continue;
    (void)gh::saml::ReadIssuer(*element);
    (void)gh::saml::ParseAuthnRequest(*element);
    (void)gh::saml::ParseLogoutRequest(*element);
    (void)gh::saml::ParseLogoutResponse(*element);
    if (gh::xml::HasSignature(*element))
      (void)gh::xml::VerifyEnveloped(*doc, *element, Certificates());
  }
  return 0;
}
