#include "oidc/logout_token.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);

LogoutTokenContent Content() {
  return {.issuer = "https://id.example",
          .client_id = "app",
          .sub = "u1",
          .sid = "s1",
          .jti = "j1",
          .issued_at = kNow};
}

crypto::DecodedJws SignAndDecode(crypto::JwsAlg alg) {
  auto key = crypto::SigningKey::Generate(alg, "k1");
  EXPECT_TRUE(key.ok());
  auto jwt = SignLogoutToken(*key, Content());
  EXPECT_TRUE(jwt.ok()) << jwt.error().message;
  auto decoded = crypto::DecodeJws(*jwt);
  EXPECT_TRUE(decoded.ok()) << decoded.error().message;
  auto verified =
      crypto::VerifyJws(*decoded, {*crypto::VerificationKey::FromJwk(key->PublicJwk())});
  EXPECT_TRUE(verified.ok()) << verified.error().message;
  return *decoded;
}

TEST(LogoutToken, IssuerIsTheOp) {
  EXPECT_EQ(LogoutTokenClaims(Content())["iss"], "https://id.example");
}

TEST(LogoutToken, AudienceIsTheClient) { EXPECT_EQ(LogoutTokenClaims(Content())["aud"], "app"); }

TEST(LogoutToken, IssuedAtIsNow) {
  EXPECT_EQ(LogoutTokenClaims(Content())["iat"], ToUnixSeconds(kNow));
}

TEST(LogoutToken, ExpiresTwoMinutesAfterIssue) {
  // Errata set 1 made exp REQUIRED; §2.4 prefers at most two minutes.
  EXPECT_EQ(LogoutTokenClaims(Content())["exp"], ToUnixSeconds(kNow) + 120);
}

TEST(LogoutToken, CarriesTheJwtId) { EXPECT_EQ(LogoutTokenClaims(Content())["jti"], "j1"); }

TEST(LogoutToken, EventsHoldExactlyTheBackchannelLogoutMemberWithAnEmptyObject) {
  EXPECT_EQ(LogoutTokenClaims(Content())["events"],
            (nlohmann::json{
                {"http://schemas.openid.net/event/backchannel-logout", nlohmann::json::object()}}));
}

TEST(LogoutToken, NamesTheSessionAndTheSubject) {
  auto claims = LogoutTokenClaims(Content());
  EXPECT_EQ(claims["sid"], "s1");
  EXPECT_EQ(claims["sub"], "u1");
}

TEST(LogoutToken, HasNoNonceAndNothingElse) {
  // §2.4: a nonce MUST NOT be present. The exact member list also shows no ID Token claim slips in.
  auto claims = LogoutTokenClaims(Content());
  EXPECT_FALSE(claims.contains("nonce"));
  std::vector<std::string> names;
  for (const auto& [name, value] : claims.items()) names.push_back(name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"aud", "events", "exp", "iat", "iss", "jti", "sid", "sub"}));
}

TEST(LogoutToken, HeaderIsExplicitlyTypedAndNamesTheKey) {
  auto jws = SignAndDecode(crypto::JwsAlg::kRS256);
  EXPECT_EQ(jws.header["typ"], "logout+jwt");
  EXPECT_EQ(jws.header["kid"], "k1");
  EXPECT_EQ(jws.payload, LogoutTokenClaims(Content()));
}

TEST(LogoutToken, SignedWithTheAlgorithmOfTheGivenKey) {
  EXPECT_EQ(SignAndDecode(crypto::JwsAlg::kRS256).header["alg"], "RS256");
  EXPECT_EQ(SignAndDecode(crypto::JwsAlg::kES256).header["alg"], "ES256");
}

}  // namespace
}  // namespace gh::oidc
