#include "oidc/authorization_code.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "oidc/sealed_access_token.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);
const std::string kKey(32, 'k');

// A code of session s1 (user u1) for client app with PKCE S256, as the authorization endpoint
// makes one: issued now, signed in 10 s before, valid 60 s.
AuthorizationCode Content() {
  AuthorizationCode c;
  c.grant_id = "grant-1";
  c.client_id = "app";
  c.redirect_uri = "https://app.example/cb";
  c.user_id = "u1";
  c.sid = "s1";
  c.scope = "openid profile";
  c.nonce = "n-0S6_WzA2Mj";
  c.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  c.code_challenge_method = "S256";
  c.auth_time = kNow - Seconds(10);
  c.method = {.idp = "corporate", .amr = {"pwd", "otp"}, .acr = "loa2"};
  c.issued_at = kNow;
  c.expires_at = kNow + Seconds(60);
  return c;
}

TEST(AuthorizationCode, OpensToTheContentItWasSealedFrom) {
  auto code = SealAuthorizationCode(kKey, Content());
  auto opened = OpenAuthorizationCode(kKey, code);
  ASSERT_TRUE(opened);
  auto expected = Content();
  EXPECT_EQ(opened->grant_id, expected.grant_id);
  EXPECT_EQ(opened->client_id, expected.client_id);
  EXPECT_EQ(opened->redirect_uri, expected.redirect_uri);
  EXPECT_EQ(opened->user_id, expected.user_id);
  EXPECT_EQ(opened->sid, expected.sid);
  EXPECT_EQ(opened->scope, expected.scope);
  EXPECT_EQ(opened->nonce, expected.nonce);
  EXPECT_EQ(opened->code_challenge, expected.code_challenge);
  EXPECT_EQ(opened->code_challenge_method, "S256");
  EXPECT_EQ(opened->auth_time, expected.auth_time);
  EXPECT_EQ(opened->method, expected.method);
  EXPECT_EQ(opened->issued_at, kNow);
  EXPECT_EQ(opened->expires_at, kNow + Seconds(60));
}

TEST(AuthorizationCode, WithoutNonceOrChallenge) {
  auto content = Content();
  content.nonce.reset();
  content.code_challenge.reset();
  content.code_challenge_method.clear();
  auto opened = OpenAuthorizationCode(kKey, SealAuthorizationCode(kKey, content));
  ASSERT_TRUE(opened);
  EXPECT_FALSE(opened->nonce);
  EXPECT_FALSE(opened->code_challenge);
}

TEST(AuthorizationCode, IsOpaqueToTheBrowserAndTheClient) {
  auto code = SealAuthorizationCode(kKey, Content());
  EXPECT_NE(SealAuthorizationCode(kKey, Content()), code) << "never the same twice";
  auto raw = *Base64UrlDecode(code);
  for (const char* secret : {"app.example", "n-0S6_WzA2Mj", "openid profile", "E9Melhoa2Ow"})
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
}

TEST(AuthorizationCode, OnlyACodeSealedUnderTheKeyOpens) {
  auto code = SealAuthorizationCode(kKey, Content());
  EXPECT_FALSE(OpenAuthorizationCode(std::string(32, 'o'), code));
  auto tampered = code;
  tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenAuthorizationCode(kKey, tampered));
  EXPECT_FALSE(OpenAuthorizationCode(kKey, std::string(43, 'A'))) << "an unsealed 32-byte code";
  EXPECT_FALSE(OpenAuthorizationCode(kKey, ""));
}

TEST(AuthorizationCode, AnAccessTokenIsNoCodeNorACodeAnAccessToken) {
  store::TokenRecord token;
  token.client_id = "app";
  token.grant_id = "g1";
  token.issued_at = kNow;
  token.expires_at = kNow + Seconds(60);
  EXPECT_FALSE(OpenAuthorizationCode(kKey, SealAccessToken(kKey, token)));
  EXPECT_FALSE(OpenAccessToken(kKey, SealAuthorizationCode(kKey, Content()), kNow));
}

}  // namespace
}  // namespace gh::oidc
