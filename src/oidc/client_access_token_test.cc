#include "oidc/client_access_token.h"

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

TEST(ClientAccessToken, OpensToTheRecordItWasSealedFrom) {
  auto token = SealClientAccessToken(kKey, ClientToken());
  auto record = OpenClientAccessToken(kKey, token, kNow);
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

TEST(ClientAccessToken, IsOpaqueAndABearerToken) {
  auto token = SealClientAccessToken(kKey, ClientToken());
  EXPECT_NE(SealClientAccessToken(kKey, ClientToken()), token) << "never the same twice";
  EXPECT_EQ(Base64UrlDecode(token)->find("svc"), std::string::npos) << "the client reads nothing";
  // RFC 6750 §2.1's b64token, and nothing a URL or form would need to escape.
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(ClientAccessToken, OnlyTheKeyThatSealedItOpensIt) {
  auto token = SealClientAccessToken(kKey, ClientToken());
  EXPECT_FALSE(OpenClientAccessToken(std::string(32, 'o'), token, kNow));
  auto tampered = token;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(OpenClientAccessToken(kKey, tampered, kNow));
  EXPECT_FALSE(OpenClientAccessToken(kKey, token.substr(0, token.size() - 2), kNow));
  EXPECT_FALSE(OpenClientAccessToken(kKey, std::string(43, 'A'), kNow))
      << "an unsealed 32-byte token";
  EXPECT_FALSE(OpenClientAccessToken(kKey, "eyJhbGciOiJub25lIn0.e30.", kNow));
  EXPECT_FALSE(OpenClientAccessToken(kKey, "", kNow));
  EXPECT_FALSE(OpenClientAccessToken(kKey, "not base64url!", kNow));
}

TEST(ClientAccessToken, EndsAtItsExpiry) {
  auto token = SealClientAccessToken(kKey, ClientToken());
  EXPECT_TRUE(OpenClientAccessToken(kKey, token, kNow + Seconds(299)));
  EXPECT_FALSE(OpenClientAccessToken(kKey, token, kNow + Seconds(300)));
}

TEST(ClientAccessToken, AnEndUsersTokenIsNeverSealed) {
  auto user_token = ClientToken();
  user_token.user_id = "u1";  // must be recorded, so that signing out revokes it
  EXPECT_THROW(SealClientAccessToken(kKey, user_token), std::logic_error);
  auto refresh = ClientToken();
  refresh.kind = store::TokenKind::kRefresh;
  EXPECT_THROW(SealClientAccessToken(kKey, refresh), std::logic_error);
}

}  // namespace
}  // namespace gh::oidc
