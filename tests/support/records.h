// Records tests put in a store directly, to set up what a flow would have left behind.
#pragma once

#include <optional>
#include <string>

#include "store/records.h"

namespace gh::testing {

// A live offline_access refresh token of `user_id` for `client_id`, hashed as `token_hash`,
// issued in session `sid` (when given) and valid until `expires_at`.
inline store::TokenRecord OfflineRefreshToken(std::string token_hash, std::string user_id,
                                              std::string client_id, std::optional<std::string> sid,
                                              TimePoint expires_at) {
  store::TokenRecord token;
  token.token_hash = token_hash;
  token.kind = store::TokenKind::kRefresh;
  token.grant_id = "grant-of-" + token_hash;
  token.client_id = std::move(client_id);
  token.user_id = std::move(user_id);
  token.sid = std::move(sid);
  token.scope = "openid offline_access";
  token.expires_at = expires_at;
  return token;
}

// Alice, as a store-level test writes a user: id u1, username alice.
inline store::UserRecord Alice() {
  store::UserRecord u;
  u.id = "u1";
  u.username = "alice";
  u.password_hash = "$argon2id$hash";
  u.name = "Alice";
  u.email = "alice@example.com";
  u.created_at = FromUnixSeconds(1'700'000'000);
  return u;
}

}  // namespace gh::testing
