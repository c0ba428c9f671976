#include "saml/messages.h"

#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml {
namespace {

// The LogoutRequest of seed 002 (Microsoft Entra ID's SAML Single Logout documentation).
constexpr char kAzureLogoutRequest[] =
    R"(<samlp:LogoutRequest xmlns="urn:oasis:names:tc:SAML:2.0:metadata" )"
    R"(ID="idaa6ebe6839094fe4abc4ebd5281ec780" Version="2.0" IssueInstant="2013-03-28T07:10:49.6004822Z" )"
    R"(xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">)"
    R"(<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://www.workaad.com</Issuer>)"
    R"(<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">Uz2Pqz1X7pxe4XLWxV9KJQ+n59d573SepSAkuYKSde8=</NameID>)"
    R"(</samlp:LogoutRequest>)";

Result<LogoutRequest> Parse(const std::string& xml) {
  GH_ASSIGN_OR_RETURN(auto doc, xml::XmlDocument::Parse(xml));
  return ParseLogoutRequest(doc.root());
}

TEST(SamlMessagesTest, ParsesTheSeedsAzureLogoutRequest) {
  auto r = Parse(kAzureLogoutRequest);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->header.id, "idaa6ebe6839094fe4abc4ebd5281ec780");
  EXPECT_EQ(r->header.issuer, "https://www.workaad.com");
  EXPECT_EQ(r->name_id.value, "Uz2Pqz1X7pxe4XLWxV9KJQ+n59d573SepSAkuYKSde8=");
  EXPECT_EQ(r->name_id.format, kNameIdUnspecified);
  EXPECT_FALSE(r->not_on_or_after.has_value());
  EXPECT_TRUE(r->session_indexes.empty());
  EXPECT_EQ(ToUnixSeconds(r->header.issue_instant), 1364454649);
}

TEST(SamlMessagesTest, RefusesACommentInsideNameId) {
  std::string xml = kAzureLogoutRequest;
  xml.replace(xml.find("Uz2P"), 4, "Uz2P<!---->");
  EXPECT_FALSE(Parse(xml).ok());
}

TEST(SamlMessagesTest, RefusesWrongShapes) {
  std::string xml = kAzureLogoutRequest;
  std::string no_version = xml;
  no_version.replace(no_version.find("Version=\"2.0\""), 13, "Version=\"1.1\"");
  EXPECT_FALSE(Parse(no_version).ok());
  std::string two_ids = xml;
  two_ids.replace(two_ids.find("</samlp:LogoutRequest>"), 0,
                  R"(<NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion">x</NameID>)");
  EXPECT_FALSE(Parse(two_ids).ok());
  std::string user_issuer = xml;
  user_issuer.replace(
      user_issuer.find("<Issuer "), 8,
      R"(<Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" )");
  EXPECT_FALSE(Parse(user_issuer).ok());
  EXPECT_FALSE(
      Parse("<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>").ok());
}

TEST(SamlMessagesTest, AuthnRequestNamesTheIdentityProvidersItWouldHaveThePersonUse) {
  auto doc = xml::XmlDocument::Parse(R"(<samlp:AuthnRequest
      xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
      xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0"
      IssueInstant="2026-12-05T10:00:00Z"><saml:Issuer>https://sp.example</saml:Issuer>
      <samlp:Scoping><samlp:IDPList><samlp:IDPEntry ProviderID="corp"/>
      <samlp:IDPEntry ProviderID="https://partner.example"/></samlp:IDPList></samlp:Scoping>
      </samlp:AuthnRequest>)");
  ASSERT_TRUE(doc.ok());
  auto request = ParseAuthnRequest(doc->root());
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->requested_idps, (std::vector<std::string>{"corp", "https://partner.example"}));
}

TEST(SamlMessagesTest, InstantsRoundTripAndAcceptFractionsAndOffsets) {
  auto t = FromUnixSeconds(1'796'000'000);
  EXPECT_EQ(ParseInstant(FormatInstant(t)), t);
  EXPECT_EQ(ParseInstant("2026-12-05T10:00:00.123Z"), ParseInstant("2026-12-05T10:00:00Z"));
  EXPECT_EQ(ParseInstant("2026-12-05T11:00:00+01:00"), ParseInstant("2026-12-05T10:00:00Z"));
  EXPECT_FALSE(ParseInstant("2026-12-05 10:00:00Z").has_value());
  EXPECT_FALSE(ParseInstant("2026-13-05T10:00:00Z").has_value());
  EXPECT_FALSE(ParseInstant("2026-12-05T10:00:00").has_value());
}

TEST(SamlMessagesTest, BuiltLogoutRequestParsesBackWithTheExactSubject) {
  store::SamlSubject subject{"alice", std::string(kNameIdPersistent), "https://idp", "https://sp",
                             "_s1"};
  auto now = FromUnixSeconds(1'796'000'000);
  auto built = BuildLogoutRequest("_r1", "https://idp", "https://sp/slo", now, now + Seconds(300),
                                  subject, "urn:oasis:names:tc:SAML:2.0:logout:user");
  auto doc = xml::XmlDocument::Parse(built.doc.Serialize());
  ASSERT_TRUE(doc.ok());
  auto r = ParseLogoutRequest(doc->root());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->name_id.value, "alice");
  EXPECT_EQ(r->name_id.name_qualifier, "https://idp");
  EXPECT_EQ(r->name_id.sp_name_qualifier, "https://sp");
  EXPECT_EQ(r->session_indexes, std::vector<std::string>{"_s1"});
  EXPECT_EQ(r->not_on_or_after, now + Seconds(300));
  EXPECT_EQ(r->header.destination, "https://sp/slo");
}

TEST(SamlMessagesTest, LogoutResponseCarriesPartialLogout) {
  auto now = FromUnixSeconds(1'796'000'000);
  auto built = BuildLogoutResponse("_r2", "https://idp", "https://sp/slo", "_req", now,
                                   kStatusSuccess, kStatusPartialLogout);
  auto doc = xml::XmlDocument::Parse(built.doc.Serialize());
  auto r = ParseLogoutResponse(doc->root());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->in_response_to, "_req");
  EXPECT_EQ(r->status, kStatusSuccess);
  EXPECT_EQ(r->second_status, kStatusPartialLogout);
}

TEST(SamlMessagesTest, SoapEnvelopeHoldsOneMessage) {
  auto doc = xml::XmlDocument::Parse(WrapInSoapEnvelope(kAzureLogoutRequest));
  auto element = MessageElement(*doc, true);
  ASSERT_TRUE(element.ok());
  EXPECT_TRUE(ParseLogoutRequest(*element).ok());
  auto bare = xml::XmlDocument::Parse(kAzureLogoutRequest);
  EXPECT_FALSE(MessageElement(*bare, true).ok());
}

}  // namespace
}  // namespace gh::saml

namespace gh::saml {
namespace {

TEST(SamlMessagesTest, BuiltMessagesVerifyAfterSigningAndReparsing) {
  auto key = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "idp");
  auto cert = *crypto::SelfSignedCertificate(key, "idp", FromUnixSeconds(1'700'000'000));
  auto now = FromUnixSeconds(1'796'000'000);
  auto built = BuildLogoutResponse("_r2", "https://idp", "https://sp/slo", "_req", now,
                                   kStatusSuccess, kStatusPartialLogout);
  ASSERT_TRUE(
      xml::SignEnveloped(built.doc, built.root, built.issuer, key.PrivatePem(), cert.Pem()).ok());
  auto doc = xml::XmlDocument::Parse(WrapInSoapEnvelope(built.doc.Serialize()));
  ASSERT_TRUE(doc.ok());
  auto element = *MessageElement(*doc, true);
  std::vector<std::string> pems{cert.Pem()};
  auto verified = xml::VerifyEnveloped(*doc, element, pems);
  EXPECT_TRUE(verified.ok()) << verified.error().message << "\n" << built.doc.Serialize();
}

}  // namespace
}  // namespace gh::saml
