#include "rp/provider_metadata.h"

#include <gtest/gtest.h>

#include "crypto/jws.h"
#include "rp/fake_op_test_support.h"

namespace gh::rp {
namespace {

using namespace testing;  // NOLINT: the fake OP's names

class ProviderMetadataTest : public ::testing::Test {
 protected:
  Result<void> Verify(const crypto::SigningKey& key) {
    auto jws = crypto::DecodeJws(Sign({{"iss", kIssuer}}, "JWT", key));
    EXPECT_TRUE(jws.ok());
    return provider_.VerifySignature(*jws);
  }

  FakeClock clock_;
  FakeOp op_;
  ProviderMetadata provider_{kIssuer, op_, clock_};
};

TEST_F(ProviderMetadataTest, FetchesDiscoveryOnceAndCachesIt) {
  auto first = provider_.Endpoints();
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->token_endpoint, kTokenUrl);
  EXPECT_EQ(first->end_session_endpoint, "https://id.example/logout");
  EXPECT_EQ(first->check_session_iframe, "https://id.example/session/check");
  EXPECT_TRUE(first->authorization_response_iss_parameter_supported);
  ASSERT_TRUE(provider_.Endpoints().ok());
  EXPECT_EQ(op_.Count(kDiscoveryUrl), 1);
  EXPECT_EQ(op_.requests.front().method, "GET");
}

TEST_F(ProviderMetadataTest, RefusesDiscoveryNamingAnotherIssuer) {
  op_.discovery["issuer"] = "https://id.example/";  // Discovery §4.3: identical, not "similar"
  auto endpoints = provider_.Endpoints();
  ASSERT_FALSE(endpoints.ok());
  EXPECT_NE(endpoints.error().message.find("issuer"), std::string::npos);
}

TEST_F(ProviderMetadataTest, RefusesDiscoveryWithoutJwksUri) {
  op_.discovery.erase("jwks_uri");
  EXPECT_FALSE(provider_.Endpoints().ok());
}

TEST_F(ProviderMetadataTest, VerifiesWithThePublishedKeyAndCachesTheJwks) {
  ASSERT_TRUE(Verify(Rs256Key()).ok());
  ASSERT_TRUE(Verify(Rs256Key()).ok());
  EXPECT_EQ(op_.Count(kJwksUrl), 1);
}

TEST_F(ProviderMetadataTest, RefetchesTheJwksWhenTheKidIsUnknown) {
  ASSERT_TRUE(Verify(Rs256Key()).ok());
  clock_.Advance(Seconds(31));
  op_.published = {&Rs256Key(), &RotatedKey()};  // the OP rotates
  auto verified = Verify(RotatedKey());
  EXPECT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_EQ(op_.Count(kJwksUrl), 2);
}

TEST_F(ProviderMetadataTest, RateLimitsRefetchesForUnknownKids) {
  ASSERT_TRUE(Verify(Rs256Key()).ok());
  EXPECT_FALSE(Verify(RotatedKey()).ok());  // just fetched: no refetch yet
  EXPECT_EQ(op_.Count(kJwksUrl), 1);
  clock_.Advance(Seconds(31));
  EXPECT_FALSE(Verify(RotatedKey()).ok());  // refetched, still unknown
  EXPECT_FALSE(Verify(RotatedKey()).ok());  // within the interval again: no refetch
  EXPECT_EQ(op_.Count(kJwksUrl), 2);
  clock_.Advance(Seconds(31));
  op_.published = {&RotatedKey()};
  EXPECT_TRUE(Verify(RotatedKey()).ok());
  EXPECT_EQ(op_.Count(kJwksUrl), 3);
}

TEST_F(ProviderMetadataTest, RejectsASignatureByAnUnpublishedKeyWithAKnownKid) {
  auto impostor = *crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k1");
  op_.published = {&Rs256Key()};
  EXPECT_FALSE(Verify(impostor).ok());
}

}  // namespace
}  // namespace gh::rp
