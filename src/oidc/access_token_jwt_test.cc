#include "oidc/access_token_jwt.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);
constexpr std::string_view kIssuer = "https://id.example";

// A client_credentials token: about the client itself.
AccessTokenContent ClientToken() {
  return {.issuer = std::string(kIssuer),
          .audience = "https://api.example/",
          .client_id = "svc",
          .subject = "svc",
          .jti = "j1",
          .scope = "api:read",
          .issued_at = kNow,
          .expires_at = kNow + Seconds(300)};
}

AccessTokenContent UserToken() {
  auto content = ClientToken();
  content.subject = "u1";
  content.auth_time = kNow - Seconds(60);
  content.method = store::SignInMethod{.idp = "local", .amr = {"pwd"}, .acr = "urn:example:pwd"};
  return content;
}

class AccessTokenJwtTest : public ::testing::Test {
 protected:
  std::string Sign(const AccessTokenContent& content) {
    auto jwt = SignAccessToken(key_, content);
    EXPECT_TRUE(jwt.ok()) << jwt.error().message;
    return *jwt;
  }
  std::optional<store::TokenRecord> Read(std::string_view jwt, TimePoint now = kNow) {
    return ReadUnrecordedAccessToken(jwt, kIssuer, {verification_}, now);
  }

  crypto::SigningKey key_ = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k1");
  crypto::VerificationKey verification_ = *crypto::VerificationKey::FromJwk(key_.PublicJwk());
};

TEST_F(AccessTokenJwtTest, ClaimsAreThoseOfRfc9068) {
  auto claims = AccessTokenClaims(ClientToken());
  EXPECT_EQ(claims["iss"], kIssuer);
  EXPECT_EQ(claims["aud"], "https://api.example/");
  EXPECT_EQ(claims["sub"], "svc");
  EXPECT_EQ(claims["client_id"], "svc");
  EXPECT_EQ(claims["iat"], ToUnixSeconds(kNow));
  EXPECT_EQ(claims["exp"], ToUnixSeconds(kNow) + 300);
  EXPECT_EQ(claims["jti"], "j1");
  EXPECT_EQ(claims["scope"], "api:read");
  EXPECT_FALSE(claims.contains("auth_time"));
}

TEST_F(AccessTokenJwtTest, AnEndUsersTokenSaysHowTheySignedIn) {
  auto claims = AccessTokenClaims(UserToken());
  EXPECT_EQ(claims["sub"], "u1");
  EXPECT_EQ(claims["auth_time"], ToUnixSeconds(kNow) - 60);
  EXPECT_EQ(claims["acr"], "urn:example:pwd");
  EXPECT_EQ(claims["amr"], nlohmann::json::array({"pwd"}));
}

TEST_F(AccessTokenJwtTest, NoScopeClaimWithoutScope) {
  auto content = ClientToken();
  content.scope.clear();
  EXPECT_FALSE(AccessTokenClaims(content).contains("scope"));
}

TEST_F(AccessTokenJwtTest, TypedAtJwt) {
  auto decoded = crypto::DecodeJws(Sign(ClientToken()));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->header["typ"], "at+jwt");
  EXPECT_EQ(decoded->header["alg"], "RS256");
  EXPECT_EQ(decoded->header["kid"], "k1");
}

TEST_F(AccessTokenJwtTest, AClientsTokenReadsAsTheRecordItWouldHaveHad) {
  auto jwt = Sign(ClientToken());
  auto record = Read(jwt);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->token_hash, SecretHash(jwt));
  EXPECT_EQ(record->kind, store::TokenKind::kAccess);
  EXPECT_EQ(record->client_id, "svc");
  EXPECT_EQ(record->grant_id, "j1");
  EXPECT_EQ(record->scope, "api:read");
  EXPECT_FALSE(record->user_id.has_value());
  EXPECT_EQ(record->issued_at, kNow);
  EXPECT_EQ(record->expires_at, kNow + Seconds(300));
  EXPECT_FALSE(record->revoked);
}

TEST_F(AccessTokenJwtTest, AnEndUsersTokenIsNeverReadWithoutItsRecord) {
  // Their tokens are recorded so that signing out revokes them; one without a record is not
  // trusted on its signature alone.
  EXPECT_FALSE(Read(Sign(UserToken())));
  auto no_auth_time = UserToken();
  no_auth_time.auth_time.reset();
  EXPECT_FALSE(Read(Sign(no_auth_time)));
  auto subject_is_client_but_signed_in = ClientToken();
  subject_is_client_but_signed_in.auth_time = kNow;
  EXPECT_FALSE(Read(Sign(subject_is_client_but_signed_in)));
}

TEST_F(AccessTokenJwtTest, ExpiredIsNotRead) {
  auto jwt = Sign(ClientToken());
  EXPECT_TRUE(Read(jwt, kNow + Seconds(299)));
  EXPECT_FALSE(Read(jwt, kNow + Seconds(300)));
}

TEST_F(AccessTokenJwtTest, AnotherIssuersIsNotRead) {
  auto content = ClientToken();
  content.issuer = "https://other.example";
  EXPECT_FALSE(Read(Sign(content)));
}

TEST_F(AccessTokenJwtTest, AnotherKeysIsNotRead) {
  auto other = *crypto::SigningKey::Generate(crypto::JwsAlg::kRS256, "k1");
  auto jwt = SignAccessToken(other, ClientToken());
  ASSERT_TRUE(jwt.ok());
  EXPECT_FALSE(Read(*jwt));
}

TEST_F(AccessTokenJwtTest, OtherJwtsOfOursAreNotRead) {
  // Same claims, signed by our key, but typed as an ID token: explicit typing keeps them apart.
  auto id_token_typed = crypto::SignJwt(key_, AccessTokenClaims(ClientToken()), "JWT");
  ASSERT_TRUE(id_token_typed.ok());
  EXPECT_FALSE(Read(*id_token_typed));
  EXPECT_FALSE(Read("not-a-jwt"));
  EXPECT_FALSE(Read(""));
}

}  // namespace
}  // namespace gh::oidc
