#include "saml/metadata.h"

#include <gtest/gtest.h>

#include "saml/vocabulary.h"

namespace gh::saml {
namespace {

std::string SpMetadataXml(const std::string& cert_base64) {
  return R"(<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" )"
         R"(xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://sp.example/md">)"
         R"(<md:SPSSODescriptor AuthnRequestsSigned="true" )"
         R"(protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">)"
         R"(<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>)" +
         cert_base64 +
         R"(</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>)"
         R"(<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:SOAP" Location="https://sp.example/soap"/>)"
         R"(<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" )"
         R"(Location="https://sp.example/slo" ResponseLocation="https://sp.example/slo-done"/>)"
         R"(<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>)"
         R"(<md:AssertionConsumerService index="1" isDefault="true" )"
         R"(Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example/acs"/>)"
         R"(</md:SPSSODescriptor></md:EntityDescriptor>)";
}

TEST(SamlMetadataTest, ReadsAnSpsEndpointsAndKeys) {
  auto key = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "sp");
  auto cert = *crypto::SelfSignedCertificate(key, "sp", FromUnixSeconds(1'700'000'000));
  auto md = ParseSpMetadata(SpMetadataXml(cert.Base64Der()));
  ASSERT_TRUE(md.ok()) << md.error().message;
  EXPECT_EQ(md->entity_id, "https://sp.example/md");
  EXPECT_TRUE(md->authn_requests_signed);
  ASSERT_EQ(md->signing_certificates.size(), 1u);
  EXPECT_EQ(md->signing_certificates[0].Base64Der(), cert.Base64Der());
  ASSERT_EQ(md->assertion_consumer_services.size(), 1u);
  EXPECT_EQ(md->assertion_consumer_services[0].index, 1);
  ASSERT_NE(md->SingleLogout(kBindingRedirect), nullptr);
  EXPECT_EQ(md->SingleLogout(kBindingRedirect)->ResponseUrl(), "https://sp.example/slo-done");
  EXPECT_EQ(md->SingleLogout(kBindingSoap)->ResponseUrl(), "https://sp.example/soap");
  EXPECT_EQ(md->SingleLogout(kBindingPost), nullptr);
}

TEST(SamlMetadataTest, RefusesWhatIsNotSpMetadata) {
  EXPECT_FALSE(ParseSpMetadata("<x/>").ok());
  EXPECT_FALSE(ParseSpMetadata(SpMetadataXml("bm90IGEgY2VydA==")).ok());
  std::string js = SpMetadataXml("");
  js.replace(js.find("https://sp.example/acs"), 22, "javascript:alert(1)");
  EXPECT_FALSE(ParseSpMetadata(js).ok());
}

TEST(SamlMetadataTest, IdpMetadataNamesEveryBindingAndCertificate) {
  auto xml = BuildIdpMetadata({"https://idp.example",
                               "https://idp.example/saml/sso",
                               "https://idp.example/saml/slo",
                               {"Q0VSVA=="},
                               {std::string(kNameIdPersistent)}});
  for (auto needle : {"entityID=\"https://idp.example\"", "IDPSSODescriptor",
                      "Q0VSVA==", "bindings:SOAP\" Location=\"https://idp.example/saml/slo\"",
                      "bindings:HTTP-POST\" Location=\"https://idp.example/saml/sso\""})
    EXPECT_NE(xml.find(needle), std::string::npos) << needle;
}

}  // namespace
}  // namespace gh::saml
