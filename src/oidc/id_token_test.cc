#include "oidc/id_token.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "oidc/user_claims.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);

IdTokenContent Content(std::string scope) {
  IdTokenContent c;
  c.issuer = "https://id.example";
  c.client_id = "app";
  c.user.id = "u1";
  c.user.username = "alice";
  c.user.name = "Alice Liddell";
  c.user.email = "alice@example.com";
  c.scope = std::move(scope);
  c.sid = "s1";
  c.auth_time = kNow - Seconds(30);
  c.access_token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
  c.issued_at = kNow;
  c.expires_at = kNow + Seconds(3600);
  return c;
}

TEST(IdToken, AtHashMatchesOpenIdConnectCoreExample) {
  // OpenID Connect Core 1.0 Appendix A.3.
  EXPECT_EQ(AtHash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"), "77QmUPtjPfzWtF2AnpK9RQ");
}

TEST(IdToken, CarriesTheRequiredClaims) {
  auto claims = IdTokenClaims(Content("openid"));
  EXPECT_EQ(claims, (nlohmann::json{{"iss", "https://id.example"},
                                    {"sub", "u1"},
                                    {"aud", "app"},
                                    {"iat", ToUnixSeconds(kNow)},
                                    {"exp", ToUnixSeconds(kNow) + 3600},
                                    {"auth_time", ToUnixSeconds(kNow) - 30},
                                    {"sid", "s1"},
                                    {"at_hash", "77QmUPtjPfzWtF2AnpK9RQ"}}));
}

TEST(IdToken, StatesWhichProviderAuthenticatedThePersonAndHow) {
  auto content = Content("openid");
  content.method = store::SignInMethod{.idp = "local", .amr = {"pwd"}, .acr = ""};
  auto local = IdTokenClaims(content);
  EXPECT_EQ(local["idp"], "local");
  EXPECT_EQ(local["amr"], nlohmann::json::array({"pwd"}));
  EXPECT_FALSE(local.contains("acr"));

  content.method = store::SignInMethod{.idp = "corporate", .amr = {"mfa", "otp"}, .acr = "loa2"};
  auto upstream = IdTokenClaims(content);
  EXPECT_EQ(upstream["idp"], "corporate");
  EXPECT_EQ(upstream["amr"], nlohmann::json::array({"mfa", "otp"}));
  EXPECT_EQ(upstream["acr"], "loa2");
}

TEST(IdToken, NonceOnlyWhenRequested) {
  auto content = Content("openid");
  EXPECT_FALSE(IdTokenClaims(content).contains("nonce"));
  content.nonce = "n-0S6_WzA2Mj";
  EXPECT_EQ(IdTokenClaims(content)["nonce"], "n-0S6_WzA2Mj");
}

TEST(IdToken, ProfileAndEmailFollowScopes) {
  auto profile = IdTokenClaims(Content("openid profile"));
  EXPECT_EQ(profile["name"], "Alice Liddell");
  EXPECT_EQ(profile["preferred_username"], "alice");
  EXPECT_FALSE(profile.contains("email"));
  auto email = IdTokenClaims(Content("openid email"));
  EXPECT_EQ(email["email"], "alice@example.com");
  EXPECT_FALSE(email.contains("name"));
}

TEST(UserClaims, EmptyValuesAreLeftOut) {
  store::UserRecord user;
  user.id = "u2";
  user.username = "bob";
  auto claims = UserClaims(user, "openid profile email");
  EXPECT_EQ(claims, (nlohmann::json{{"sub", "u2"}, {"preferred_username", "bob"}}));
}

TEST(IdToken, SignsAVerifiableJwt) {
  auto key = crypto::SigningKey::Generate(crypto::JwsAlg::kES256, "k1");
  ASSERT_TRUE(key.ok());
  auto jwt = SignIdToken(*key, Content("openid"));
  ASSERT_TRUE(jwt.ok());
  auto decoded = crypto::DecodeJws(*jwt);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->header["typ"], "JWT");
  EXPECT_EQ(decoded->header["alg"], "ES256");
  EXPECT_EQ(decoded->header["kid"], "k1");
  auto verification = crypto::VerificationKey::FromJwk(key->PublicJwk());
  ASSERT_TRUE(verification.ok());
  EXPECT_TRUE(crypto::VerifyJws(*decoded, {*verification}).ok());
  EXPECT_EQ(decoded->payload, IdTokenClaims(Content("openid")));
}

}  // namespace
}  // namespace gh::oidc
