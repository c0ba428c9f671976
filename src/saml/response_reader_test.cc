#include "saml/response_reader.h"

#include <gtest/gtest.h>

#include <functional>

#include "saml/fake_idp_test_support.h"

namespace gh::saml {
namespace {

using testing::FakeIdp;
using testing::SignWhat;

constexpr char kSp[] = "https://gatehouse.example/upstream/corp/saml";
constexpr char kAcs[] = "https://gatehouse.example/upstream/corp/saml/acs";
constexpr char kRequestId[] = "_request1";
const TimePoint kNow = FromUnixSeconds(1'800'000'000);

const FakeIdp& Idp() {
  static const FakeIdp idp(kNow);
  return idp;
}

// A Response as the upstream IdP sends it; `edit` changes its text before it is signed.
std::string MakeResponse(SignWhat sign = SignWhat::kAssertion,
                         const std::function<void(std::string&)>& edit = nullptr,
                         const FakeIdp& idp = Idp()) {
  auto content = idp.Content(
      kRequestId, kSp, kAcs,
      {"alice-at-corp", std::string(kNameIdPersistent), idp.entity_id, kSp, "_session7"}, kNow);
  content.attributes = {{"mail", "alice@corp.example"}, {"uid", "alice"}};
  return idp.Response(content, sign, edit);
}

ResponseExpectations Expect() { return {Idp().entity_id, kSp, kAcs, kRequestId, kNow}; }

Result<AssertedSignIn> Read(const std::string& xml, ResponseExpectations expect = Expect()) {
  std::vector<crypto::Certificate> certs{Idp().certificate()};
  return ReadResponse(xml, certs, expect);
}

void Replace(std::string& s, const std::string& from, const std::string& to) {
  auto at = s.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
}

std::function<void(std::string&)> Replacing(std::string from, std::string to) {
  return [from, to](std::string& s) { Replace(s, from, to); };
}

std::string Refusal(const std::string& xml, ResponseExpectations expect = Expect()) {
  auto r = Read(xml, expect);
  return r.ok() ? "accepted" : r.error().message;
}

TEST(SamlResponseReaderTest, ReadsTheSignedAssertionExactly) {
  auto r = Read(MakeResponse());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->assertion_id, "_assertion-_session7");
  EXPECT_EQ(r->subject.name_id, "alice-at-corp");
  EXPECT_EQ(r->subject.format, kNameIdPersistent);
  EXPECT_EQ(r->subject.name_qualifier, Idp().entity_id);
  EXPECT_EQ(r->subject.sp_name_qualifier, kSp);
  EXPECT_EQ(r->subject.session_index, "_session7");
  EXPECT_EQ(r->authn_instant, kNow - Seconds(5));
  EXPECT_EQ(r->authn_context_class, kAuthnContextPassword);
  EXPECT_EQ(r->replayable_until, kNow + Seconds(300) + Seconds(180));
  ASSERT_EQ(r->attributes.size(), 2u);
  EXPECT_EQ(r->attributes[0], (std::pair<std::string, std::string>{"mail", "alice@corp.example"}));
}

TEST(SamlResponseReaderTest, EitherSignatureProtectsTheAssertion) {
  EXPECT_TRUE(Read(MakeResponse(SignWhat::kResponse)).ok());
  EXPECT_TRUE(Read(MakeResponse(SignWhat::kBoth)).ok());
  EXPECT_EQ(Refusal(MakeResponse(SignWhat::kNothing)),
            "neither the Response nor its Assertion is signed");
}

TEST(SamlResponseReaderTest, RefusesAnotherKey) {
  static const FakeIdp other(kNow, "other");
  auto r = Read(MakeResponse(SignWhat::kAssertion, nullptr, other));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST(SamlResponseReaderTest, RefusesAnAssertionAlteredAfterSigning) {
  std::string xml = MakeResponse();
  Replace(xml, "alice-at-corp", "mallory");
  EXPECT_FALSE(Read(xml).ok());
}

TEST(SamlResponseReaderTest, RefusesAnUnsignedAssertionBesideASignedOne) {
  // Signature wrapping: a second, forged Assertion next to the signed one.
  std::string xml = MakeResponse();
  auto start = xml.find("<saml:Assertion");
  auto end = xml.find("</saml:Assertion>") + std::string("</saml:Assertion>").size();
  std::string forged = xml.substr(start, end - start);
  auto sig = forged.find("<ds:Signature");
  forged.erase(sig, forged.find("</ds:Signature>") + 15 - sig);
  Replace(forged, "alice-at-corp", "mallory");
  Replace(forged, "_assertion-_session7", "_forged");
  xml.insert(start, forged);
  EXPECT_EQ(Refusal(xml), "the Response must carry exactly one Assertion");
}

TEST(SamlResponseReaderTest, AFailureStatusIsPermissionDeniedWithTheStatus) {
  auto failed =
      BuildStatusResponse("_r", Idp().entity_id, kAcs, std::string(kRequestId), kNow,
                          kStatusResponder, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed");
  auto r = Read(failed.doc.Serialize());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_NE(r.error().message.find("AuthnFailed"), std::string::npos);
}

TEST(SamlResponseReaderTest, RefusesEachBrokenRule) {
  auto at = [](SignWhat sign, std::string from, std::string to) {
    return Refusal(MakeResponse(sign, Replacing(std::move(from), std::move(to))));
  };
  const std::string acs = std::string("Destination=\"") + kAcs + "\"";
  EXPECT_EQ(at(SignWhat::kAssertion, acs, "Destination=\"https://elsewhere.example/acs\""),
            "the Response is not addressed to this assertion consumer service");
  EXPECT_EQ(at(SignWhat::kResponse, acs, ""),
            "the Response is not addressed to this assertion consumer service");
  EXPECT_EQ(at(SignWhat::kAssertion, " InResponseTo=\"_request1\"", ""),
            "the Response does not answer the request (InResponseTo)");
  EXPECT_EQ(at(SignWhat::kAssertion, "Recipient=\"" + std::string(kAcs),
               "Recipient=\"https://elsewhere.example/acs"),
            "the bearer Recipient is not this assertion consumer service");
  EXPECT_EQ(at(SignWhat::kAssertion, "Recipient=", "NotBefore=\"2020-01-01T00:00:00Z\" Recipient="),
            "a bearer SubjectConfirmationData must not carry NotBefore");
  EXPECT_EQ(at(SignWhat::kAssertion, std::string(kSubjectConfirmationBearer),
               "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"),
            "the Subject has no bearer SubjectConfirmation");
  EXPECT_EQ(at(SignWhat::kAssertion, "<saml:Audience>" + std::string(kSp),
               "<saml:Audience>https://other-sp.example"),
            "the assertion is meant for another audience");
  EXPECT_EQ(
      at(SignWhat::kAssertion, "<saml:Issuer>" + Idp().entity_id + "</saml:Issuer><saml:Subject",
         "<saml:Issuer>https://evil.example</saml:Issuer><saml:Subject"),
      "the Assertion comes from another identity provider");
  EXPECT_EQ(at(SignWhat::kAssertion, "alice-at-corp", "alice<!---->-at-corp"),
            "NameID must be plain text, without comments or markup");
  EXPECT_EQ(at(SignWhat::kAssertion, "SessionNotOnOrAfter=\"", "SessionNotOnOrAfter=\"2020"),
            "SessionNotOnOrAfter is not a dateTime");
}

TEST(SamlResponseReaderTest, RefusesWrongIssuerOfTheResponse) {
  auto expect = Expect();
  expect.idp_entity_id = "https://other-idp.example";
  EXPECT_EQ(Refusal(MakeResponse(), expect), "the Response comes from another identity provider");
}

TEST(SamlResponseReaderTest, RefusesAnAnswerToAnotherRequest) {
  auto expect = Expect();
  expect.request_id = "_request2";
  EXPECT_EQ(Refusal(MakeResponse(), expect),
            "the Response does not answer the request (InResponseTo)");
}

TEST(SamlResponseReaderTest, RefusesWhenExpiredOrNotYetValid) {
  auto expect = Expect();
  expect.now = kNow + Seconds(300) + Seconds(181);
  EXPECT_EQ(Refusal(MakeResponse(), expect), "the assertion has expired (bearer NotOnOrAfter)");
  expect.now = kNow - Seconds(30) - Seconds(181);
  EXPECT_EQ(Refusal(MakeResponse(), expect), "the Response is not fresh (IssueInstant)");
}

TEST(SamlResponseReaderTest, RefusesAnEncryptedAssertion) {
  std::string xml = MakeResponse(SignWhat::kResponse, [](std::string& s) {
    Replace(s, "<saml:Assertion ", "<saml:EncryptedAssertion/><saml:Assertion ");
  });
  EXPECT_EQ(Refusal(xml),
            "encrypted assertions are not accepted (Gatehouse publishes no encryption key)");
}

}  // namespace
}  // namespace gh::saml
