#include "oidc/authorization_code.h"

#include <gtest/gtest.h>

#include "core/base64url.h"
#include "oidc/client_access_token.h"
#include "oidc/token_state.h"
#include "support/records.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);
const std::string kKey(32, 'k');

store::AuthorizationCodeRecord Record() { return testing::CodeRecord(kNow); }

TEST(AuthorizationCode, OpensToTheRecordItWasSealedFrom) {
  auto code = SealAuthorizationCode(kKey, Record());
  auto opened = OpenAuthorizationCode(kKey, code);
  ASSERT_TRUE(opened);
  auto expected = Record();
  expected.code_hash = SecretHash(code);
  EXPECT_EQ(opened->code_hash, expected.code_hash) << "its one use is recorded by this hash";
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
  EXPECT_FALSE(opened->consumed);
}

TEST(AuthorizationCode, WithoutNonceOrChallenge) {
  auto record = Record();
  record.nonce.reset();
  record.code_challenge.reset();
  record.code_challenge_method.clear();
  auto opened = OpenAuthorizationCode(kKey, SealAuthorizationCode(kKey, record));
  ASSERT_TRUE(opened);
  EXPECT_FALSE(opened->nonce);
  EXPECT_FALSE(opened->code_challenge);
}

TEST(AuthorizationCode, IsOpaqueToTheBrowserAndTheClient) {
  auto code = SealAuthorizationCode(kKey, Record());
  EXPECT_NE(SealAuthorizationCode(kKey, Record()), code) << "never the same twice";
  auto raw = *Base64UrlDecode(code);
  for (const char* secret : {"app.example", "n-0S6_WzA2Mj", "openid profile", "E9Melhoa2Ow"})
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret;
}

TEST(AuthorizationCode, OnlyACodeSealedUnderTheKeyOpens) {
  auto code = SealAuthorizationCode(kKey, Record());
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
  EXPECT_FALSE(OpenAuthorizationCode(kKey, SealClientAccessToken(kKey, token)));
  EXPECT_FALSE(OpenClientAccessToken(kKey, SealAuthorizationCode(kKey, Record()), kNow));
}

}  // namespace
}  // namespace gh::oidc
