// FakeIdp: an upstream SAML identity provider for tests of Gatehouse as a service provider — a
// signing key, its metadata, and the Responses and logout messages it sends, which a test may
// alter before they are signed.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "crypto/certificate.h"
#include "crypto/signing_key.h"
#include "saml/messages.h"
#include "saml/metadata.h"
#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml::testing {

enum class SignWhat { kAssertion, kResponse, kBoth, kNothing };

class FakeIdp {
 public:
  std::string entity_id = "https://upstream.example/saml/metadata";
  std::string sso_url = "https://upstream.example/saml/sso";
  std::string slo_url = "https://upstream.example/saml/slo";

  explicit FakeIdp(TimePoint now, const char* kid = "idp") : keys_(NewKeys(now, kid)) {}

  const crypto::Certificate& certificate() const { return keys_.certificate; }
  std::string Metadata() const {
    return BuildIdpMetadata({entity_id, sso_url, slo_url, {keys_.certificate.Base64Der()}, {}});
  }

  // What the IdP asserts about `subject` in answer to `request_id`, at `acs` for SP `audience`.
  AssertionContent Content(const std::string& request_id, const std::string& audience,
                           const std::string& acs, store::SamlSubject subject,
                           TimePoint now) const {
    AssertionContent c;
    c.issuer = entity_id;
    c.audience = audience;
    c.recipient = acs;
    c.in_response_to = request_id;
    c.subject = std::move(subject);
    c.now = now;
    c.auth_instant = now - Seconds(5);
    c.session_not_on_or_after = now + Seconds(3600);
    c.authn_context_class = std::string(kAuthnContextPassword);
    return c;
  }

  // The Response carrying `content`; `edit` changes its text before it is signed.
  std::string Response(const AssertionContent& content, SignWhat sign = SignWhat::kAssertion,
                       const std::function<void(std::string&)>& edit = nullptr) const {
    auto built =
        BuildResponse("_response-" + content.subject.session_index,
                      "_assertion-" + content.subject.session_index, content.recipient, content);
    std::string text = built.doc.Serialize();
    if (edit) edit(text);
    auto doc = xml::XmlDocument::Parse(text);
    EXPECT_TRUE(doc.ok());
    auto* root = doc->root();
    auto assertions = xml::Elements(root, xml::kSamlAssertionNs, "Assertion");
    if ((sign == SignWhat::kAssertion || sign == SignWhat::kBoth) && !assertions.empty())
      Sign(*doc, assertions[0]);
    if (sign == SignWhat::kResponse || sign == SignWhat::kBoth) Sign(*doc, root);
    return doc->Serialize();
  }

  // A logout message (or a failure Response) signed enveloped, as the POST binding carries it.
  std::string Signed(BuiltMessage message, bool sign = true) const {
    if (sign) Sign(message.doc, message.root);
    return message.doc.Serialize();
  }

 private:
  void Sign(xml::XmlDocument& doc, xml::Node* element) const {
    auto* issuer = xml::Elements(element, xml::kSamlAssertionNs, "Issuer").at(0);
    EXPECT_TRUE(
        xml::SignEnveloped(doc, element, issuer, keys_.private_pem, keys_.certificate.Pem()).ok());
  }

  struct Keys {
    std::string private_pem;
    crypto::Certificate certificate;
  };
  static Keys NewKeys(TimePoint now, const char* kid) {
    auto key = crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, kid);
    auto certificate = crypto::SelfSignedCertificate(*key, "upstream", now - Seconds(86400));
    return {key->PrivatePem(), std::move(*certificate)};
  }

  Keys keys_;
};

}  // namespace gh::saml::testing
