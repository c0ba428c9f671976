#include "rp/token_validation.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/base64url.h"
#include "oidc/id_token.h"
#include "rp/fake_op_test_support.h"

namespace gh::rp {
namespace {

using namespace testing;  // NOLINT: the fake OP's names
using nlohmann::json;

constexpr char kNonce[] = "n-0S6_WzA2Mj";
constexpr char kAccessToken[] = "access-token-1";

class TokenValidationTest : public ::testing::Test {
 protected:
  Result<ValidatedIdToken> ValidateId(const std::string& token,
                                      std::optional<std::string> access_token = std::nullopt) {
    return validator_.ValidateIdToken(token, {kNonce, std::move(access_token)});
  }
  // Expects `result` to fail with a message containing `why`, so each test proves the rule it
  // names fired rather than some other.
  template <class T>
  static void ExpectRejected(const Result<T>& result, std::string_view why) {
    ASSERT_FALSE(result.ok()) << "accepted; expected: " << why;
    EXPECT_NE(result.error().message.find(why), std::string::npos) << result.error().message;
  }

  FakeClock clock_;
  FakeOp op_;
  ProviderMetadata provider_{kIssuer, op_, clock_};
  TokenValidator validator_{{.issuer = kIssuer, .client_id = kClientId}, provider_, clock_};
};

TEST_F(TokenValidationTest, AcceptsAValidIdToken) {
  auto claims = IdTokenClaims(clock_.Now(), kNonce);
  claims["at_hash"] = oidc::AtHash(kAccessToken);
  auto token = ValidateId(Sign(claims), kAccessToken);
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->sub, "alice");
  EXPECT_EQ(token->sid, "sid-1");
  EXPECT_NE(token->claims_json.find("alice@example.com"), std::string::npos);
}

// One ID-token rule per case: the mutation breaks exactly that rule.
struct IdTokenCase {
  const char* name;
  std::function<void(json&, TimePoint)> mutate;
  const char* why;
};

class IdTokenRuleTest : public TokenValidationTest,
                        public ::testing::WithParamInterface<IdTokenCase> {};

TEST_P(IdTokenRuleTest, Rejects) {
  auto claims = IdTokenClaims(clock_.Now(), kNonce);
  GetParam().mutate(claims, clock_.Now());
  ExpectRejected(ValidateId(Sign(claims), kAccessToken), GetParam().why);
}

INSTANTIATE_TEST_SUITE_P(
    Core3137, IdTokenRuleTest,
    ::testing::Values(
        IdTokenCase{"WrongIssuer", [](json& c, TimePoint) { c["iss"] = "https://evil.example"; },
                    "(iss)"},
        IdTokenCase{"MissingIssuer", [](json& c, TimePoint) { c.erase("iss"); }, "(iss)"},
        IdTokenCase{"WrongAudience", [](json& c, TimePoint) { c["aud"] = "other"; }, "(aud)"},
        IdTokenCase{"SeveralAudiencesWithoutAzp",
                    [](json& c, TimePoint) {
                      c["aud"] = {kClientId, "other"};
                    },
                    "no azp"},
        IdTokenCase{"AzpOfAnotherParty",
                    [](json& c, TimePoint) {
                      c["aud"] = {kClientId, "other"};
                      c["azp"] = "other";
                    },
                    "(azp)"},
        IdTokenCase{"Expired", [](json& c, TimePoint now) { c["exp"] = ToUnixSeconds(now) - 61; },
                    "expired"},
        IdTokenCase{"NoExp", [](json& c, TimePoint) { c.erase("exp"); }, "integer exp"},
        IdTokenCase{"FractionalExp",
                    [](json& c, TimePoint now) { c["exp"] = ToUnixSeconds(now) + 60.5; },
                    "integer exp"},
        IdTokenCase{"HugeExp", [](json& c, TimePoint) { c["exp"] = 1e300; }, "integer exp"},
        IdTokenCase{"ExpPastTheRange",
                    [](json& c, TimePoint) { c["exp"] = std::uint64_t{1} << 63; }, "out of range"},
        IdTokenCase{"NegativeIat", [](json& c, TimePoint) { c["iat"] = -1; }, "out of range"},
        IdTokenCase{"IatPastTheRange",
                    [](json& c, TimePoint) { c["iat"] = std::int64_t{9'000'000'000}; },
                    "out of range"},
        IdTokenCase{"IssuedInTheFuture",
                    [](json& c, TimePoint now) { c["iat"] = ToUnixSeconds(now) + 61; }, "future"},
        IdTokenCase{"IssuedTooLongAgo",
                    [](json& c, TimePoint now) { c["iat"] = ToUnixSeconds(now) - 361; },
                    "too long ago"},
        IdTokenCase{"NonceMismatch", [](json& c, TimePoint) { c["nonce"] = "other"; }, "nonce"},
        IdTokenCase{"NonceMissing", [](json& c, TimePoint) { c.erase("nonce"); }, "nonce"},
        IdTokenCase{"AtHashMismatch",
                    [](json& c, TimePoint) { c["at_hash"] = oidc::AtHash("another token"); },
                    "at_hash"},
        IdTokenCase{"NoSub", [](json& c, TimePoint) { c.erase("sub"); }, "no sub"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(TokenValidationTest, AcceptsSeveralAudiencesWithOurAzp) {
  auto claims = IdTokenClaims(clock_.Now(), kNonce);
  claims["aud"] = {kClientId, "other"};
  claims["azp"] = kClientId;
  EXPECT_TRUE(ValidateId(Sign(claims)).ok());
}

TEST_F(TokenValidationTest, ToleratesSkewWithinTheBound) {
  auto claims = IdTokenClaims(clock_.Now(), kNonce);
  claims["iat"] = ToUnixSeconds(clock_.Now()) + 59;
  claims["exp"] = ToUnixSeconds(clock_.Now()) - 59;
  EXPECT_TRUE(ValidateId(Sign(claims)).ok());
}

TEST_F(TokenValidationTest, RejectsAtHashWithoutAnAccessToken) {
  auto claims = IdTokenClaims(clock_.Now(), kNonce);
  claims["at_hash"] = oidc::AtHash(kAccessToken);
  ExpectRejected(ValidateId(Sign(claims)), "at_hash");
}

TEST_F(TokenValidationTest, RejectsATamperedSignature) {
  std::string token = Sign(IdTokenClaims(clock_.Now(), kNonce));
  auto claims = IdTokenClaims(clock_.Now(), kNonce, "mallory");
  const auto first = token.find('.');
  const auto second = token.find('.', first + 1);
  token.replace(first + 1, second - first - 1, Base64UrlEncode(claims.dump()));
  ExpectRejected(ValidateId(token), "signature");
}

TEST_F(TokenValidationTest, RejectsAlgNone) {
  const std::string token = Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                            Base64UrlEncode(IdTokenClaims(clock_.Now(), kNonce).dump()) + ".";
  ExpectRejected(ValidateId(token), "algorithm");
}

TEST_F(TokenValidationTest, RejectsAnAlgOtherThanTheRegisteredOne) {
  op_.published = {&Rs256Key(), &Es256Key()};  // the OP holds an ES256 key too
  ExpectRejected(ValidateId(Sign(IdTokenClaims(clock_.Now(), kNonce), "JWT", Es256Key())),
                 "not signed with RS256");
}

TEST_F(TokenValidationTest, RefreshesTheJwksForAnUnknownKid) {
  ASSERT_TRUE(ValidateId(Sign(IdTokenClaims(clock_.Now(), kNonce))).ok());
  clock_.Advance(Seconds(31));  // past the refetch rate limit
  op_.published = {&RotatedKey()};
  auto token = ValidateId(Sign(IdTokenClaims(clock_.Now(), kNonce), "JWT", RotatedKey()));
  EXPECT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(op_.Count(kJwksUrl), 2);
}

TEST_F(TokenValidationTest, AcceptsAValidLogoutToken) {
  auto token = validator_.ValidateLogoutToken(SignLogout(LogoutTokenClaims(clock_.Now())));
  ASSERT_TRUE(token.ok()) << token.error().message;
  EXPECT_EQ(token->sid, "sid-1");
  EXPECT_EQ(token->sub, "alice");
  EXPECT_EQ(token->jti, "jti-1");
  // Remembered until exp (iat + 120) plus the skew: then the token is refused anyway.
  EXPECT_EQ(token->acceptable_until, clock_.Now() + Seconds(180));
}

TEST_F(TokenValidationTest, AcceptsTheFullMediaTypeAsTyp) {
  EXPECT_TRUE(
      validator_
          .ValidateLogoutToken(Sign(LogoutTokenClaims(clock_.Now()), "application/logout+jwt"))
          .ok());
}

TEST_F(TokenValidationTest, AnUntypedLogoutTokenPassesWhenTypingIsNotRequired) {
  TokenValidator lenient(
      {.issuer = kIssuer, .client_id = kClientId, .require_logout_token_typ = false}, provider_,
      clock_);
  EXPECT_TRUE(lenient.ValidateLogoutToken(Sign(LogoutTokenClaims(clock_.Now()), "")).ok());
}

TEST_F(TokenValidationTest, AnIdTokenIsNotALogoutToken) {
  ExpectRejected(validator_.ValidateLogoutToken(Sign(IdTokenClaims(clock_.Now(), kNonce))), "typ");
}

TEST_F(TokenValidationTest, ALogoutTokenIsNotAnIdToken) {
  ExpectRejected(ValidateId(SignLogout(LogoutTokenClaims(clock_.Now()))), "nonce");
}

}  // namespace
}  // namespace gh::rp
