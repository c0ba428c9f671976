#include "saml/inbound.h"

#include <gtest/gtest.h>

#include "crypto/certificate.h"
#include "crypto/signing_key.h"
#include "saml/vocabulary.h"
#include "xml/signature.h"

namespace gh::saml {
namespace {

constexpr char kEndpoint[] = "https://idp.example/saml/slo";
constexpr Seconds kSkew{180};
constexpr Seconds kWindow{600};
const TimePoint kNow = FromUnixSeconds(1'796'000'000);

RequestHeader Header(std::optional<std::string> destination, TimePoint issued) {
  return {"_id1", "https://sp.example", std::move(destination), issued};
}

TEST(IsSoap, APostOfEitherSoapMediaTypeInAnyCase) {
  auto post = [](std::string type) {
    http::Request r;
    r.method = "POST";
    r.headers.Set("Content-Type", std::move(type));
    return r;
  };
  EXPECT_TRUE(IsSoap(post("text/xml; charset=utf-8")));
  EXPECT_TRUE(IsSoap(post("Text/XML")));
  EXPECT_TRUE(IsSoap(post("application/soap+xml")));
  EXPECT_FALSE(IsSoap(post("application/x-www-form-urlencoded")));
  EXPECT_FALSE(IsSoap(post("text/xmlish")));
  EXPECT_FALSE(IsSoap(post("")));
  http::Request get = post("text/xml");
  get.method = "GET";
  EXPECT_FALSE(IsSoap(get));
}

TEST(CheckAddressedAndFresh, DestinationMustBeOursWhenPresent) {
  EXPECT_TRUE(
      CheckAddressedAndFresh(Header(kEndpoint, kNow), kEndpoint, kNow, kSkew, kWindow).ok());
  auto other = CheckAddressedAndFresh(Header("https://other.example/slo", kNow), kEndpoint, kNow,
                                      kSkew, kWindow);
  EXPECT_EQ(other.error().code, ErrorCode::kInvalidArgument);
  // Entra-style requests (seed 002) carry none; Issuer, NameID and SessionIndex still bind them.
  EXPECT_TRUE(
      CheckAddressedAndFresh(Header(std::nullopt, kNow), kEndpoint, kNow, kSkew, kWindow).ok());
}

TEST(CheckAddressedAndFresh, IssueInstantWithinSkewAndWindow) {
  auto at = [&](TimePoint issued) {
    return CheckAddressedAndFresh(Header(kEndpoint, issued), kEndpoint, kNow, kSkew, kWindow).ok();
  };
  EXPECT_TRUE(at(kNow + kSkew));
  EXPECT_FALSE(at(kNow + kSkew + Seconds(1)));  // from the future
  EXPECT_TRUE(at(kNow - kWindow - kSkew));
  EXPECT_FALSE(at(kNow - kWindow - kSkew - Seconds(1)));  // stale
}

TEST(CheckAddressedAndFresh, NotOnOrAfterNotPassed) {
  auto until = [&](TimePoint not_on_or_after) {
    return CheckAddressedAndFresh(Header(kEndpoint, kNow), kEndpoint, kNow, kSkew, kWindow,
                                  not_on_or_after)
        .ok();
  };
  EXPECT_TRUE(until(kNow + Seconds(60)));
  EXPECT_TRUE(until(kNow - kSkew + Seconds(1)));
  EXPECT_FALSE(until(kNow - kSkew));
}

// An SP registered with `cert` as its signing key.
ServiceProvider Sp(const crypto::Certificate& cert, bool require_signed) {
  SpMetadata metadata;
  metadata.entity_id = "https://sp.example";
  metadata.signing_certificates.push_back(cert);
  ServiceProvider sp;
  sp.record.entity_id = metadata.entity_id;
  sp.record.require_signed_requests = require_signed;
  sp.metadata = std::make_shared<const SpMetadata>(std::move(metadata));
  return sp;
}

class ReadInboundTest : public ::testing::Test {
 protected:
  // A LogoutRequest from the SP over `binding`, enveloped-signed with `key` when given.
  InboundMessage Request(std::string binding, const crypto::SigningKey* key = nullptr) {
    store::SamlSubject subject{"n1", std::string(kNameIdPersistent), "", "", "_s1"};
    auto built = BuildLogoutRequest("_r1", "https://sp.example", kEndpoint, kNow, kNow + kWindow,
                                    subject, "urn:oasis:names:tc:SAML:2.0:logout:user");
    if (key) {
      auto cert = *crypto::SelfSignedCertificate(*key, "sp", kNow);
      EXPECT_TRUE(
          xml::SignEnveloped(built.doc, built.root, built.issuer, key->PrivatePem(), cert.Pem())
              .ok());
    }
    std::string xml = built.doc.Serialize();
    if (binding == kBindingSoap) xml = WrapInSoapEnvelope(xml);
    return {std::move(binding), true, std::move(xml), std::nullopt, std::nullopt};
  }

  crypto::SigningKey sp_key_ = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "sp");
  crypto::SigningKey other_key_ = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "x");
  crypto::Certificate sp_cert_ = *crypto::SelfSignedCertificate(sp_key_, "sp", kNow);
};

TEST_F(ReadInboundTest, ASignedRequestVerifiesWithTheRegisteredKeyOnly) {
  auto ok = ReadInboundFrom(Request(std::string(kBindingSoap), &sp_key_), Sp(sp_cert_, true));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(ok->signed_by_sp);
  auto forged =
      ReadInboundFrom(Request(std::string(kBindingSoap), &other_key_), Sp(sp_cert_, true));
  EXPECT_EQ(forged.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(ReadInboundTest, UnsignedOnlyWhenTheRegistrationAllowsIt) {
  auto refused = ReadInboundFrom(Request(std::string(kBindingPost)), Sp(sp_cert_, true));
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  auto allowed = ReadInboundFrom(Request(std::string(kBindingPost)), Sp(sp_cert_, false));
  ASSERT_TRUE(allowed.ok());
  EXPECT_FALSE(allowed->signed_by_sp);
}

TEST_F(ReadInboundTest, AnXmlSignatureInsideARedirectMessageIsNeverTrusted) {
  // Only the query signature authenticates an HTTP-Redirect message (Bindings §3.4.4.1).
  auto refused =
      ReadInboundFrom(Request(std::string(kBindingRedirect), &sp_key_), Sp(sp_cert_, true));
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
  auto unsigned_allowed =
      ReadInboundFrom(Request(std::string(kBindingRedirect), &sp_key_), Sp(sp_cert_, false));
  ASSERT_TRUE(unsigned_allowed.ok());
  EXPECT_FALSE(unsigned_allowed->signed_by_sp);
}

TEST_F(ReadInboundTest, TheIssuerMustBeTheExpectedServiceProvider) {
  auto other = Sp(sp_cert_, true);
  other.record.entity_id = "https://other.example";
  auto refused = ReadInboundFrom(Request(std::string(kBindingSoap), &sp_key_), other);
  EXPECT_EQ(refused.error().code, ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace gh::saml
