#include "oidc/sealed_access_token.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/base64url.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

const TimePoint kNow = FromUnixSeconds(2'000'000);
const std::string kKey(32, 'k');

store::TokenRecord ClientToken() {
  store::TokenRecord record;
  record.kind = store::TokenKind::kAccess;
  record.grant_id = "g1";
  record.client_id = "svc";
  record.scope = "api:read api:write";
  record.issued_at = kNow;
  record.expires_at = kNow + Seconds(300);
  return record;
}

TEST(SealedAccessToken, OpensToTheRecordItWasSealedFrom) {
  auto token = SealAccessToken(kKey, ClientToken());
  auto record = OpenAccessToken(kKey, token, kNow);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->token_hash, SecretHash(token)) << "found and revoked like a stored token";
  EXPECT_EQ(record->kind, store::TokenKind::kAccess);
  EXPECT_EQ(record->grant_id, "g1");
  EXPECT_EQ(record->client_id, "svc");
  EXPECT_EQ(record->scope, "api:read api:write");
  EXPECT_EQ(record->issued_at, kNow);
  EXPECT_EQ(record->expires_at, kNow + Seconds(300));
  EXPECT_FALSE(record->user_id);
  EXPECT_FALSE(record->revoked);
}

TEST(SealedAccessToken, IsOpaqueAndABearerToken) {
  auto token = SealAccessToken(kKey, ClientToken());
  EXPECT_NE(SealAccessToken(kKey, ClientToken()), token) << "never the same twice";
  EXPECT_EQ(Base64UrlDecode(token)->find("svc"), std::string::npos) << "the client reads nothing";
  // RFC 6750 §2.1's b64token, and nothing a URL or form would need to escape.
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(SealedAccessToken, OnlyTheKeyThatSealedItOpensIt) {
  auto token = SealAccessToken(kKey, ClientToken());
  EXPECT_FALSE(OpenAccessToken(std::string(32, 'o'), token, kNow));
  auto tampered = token;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenAccessToken(kKey, tampered, kNow));
  EXPECT_FALSE(OpenAccessToken(kKey, token.substr(0, token.size() - 2), kNow));
  EXPECT_FALSE(OpenAccessToken(kKey, std::string(43, 'A'), kNow)) << "an unsealed 32-byte token";
  EXPECT_FALSE(OpenAccessToken(kKey, "eyJhbGciOiJub25lIn0.e30.", kNow));
  EXPECT_FALSE(OpenAccessToken(kKey, "", kNow));
  EXPECT_FALSE(OpenAccessToken(kKey, "not base64url!", kNow));
}

TEST(SealedAccessToken, EndsAtItsExpiry) {
  auto token = SealAccessToken(kKey, ClientToken());
  EXPECT_TRUE(OpenAccessToken(kKey, token, kNow + Seconds(299)));
  EXPECT_FALSE(OpenAccessToken(kKey, token, kNow + Seconds(300)));
}

TEST(SealedAccessToken, AnEndUsersNamesTheUserAndTheSessionItStandsWith) {
  auto user_token = ClientToken();
  user_token.user_id = "u1";
  user_token.sid = "s1";
  auto record = OpenAccessToken(kKey, SealAccessToken(kKey, user_token), kNow);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->user_id, "u1");
  EXPECT_EQ(record->sid, "s1");
  EXPECT_EQ(record->grant_id, "g1") << "what a grant's revocation ends";
}

TEST(SealedAccessToken, ARefreshTokenIsNeverSealed) {
  auto refresh = ClientToken();
  refresh.kind = store::TokenKind::kRefresh;  // recorded, so that it can be rotated out
  EXPECT_THROW(SealAccessToken(kKey, refresh), std::logic_error);
}

}  // namespace
}  // namespace gh::oidc
