// The authorization code (RFC 6749 §4.1.2) is its content sealed under the deployment's sealing key
// (sealed_json.h): handing one out writes nothing, and the token endpoint reads it from the code
// itself on whichever node the client reaches. Its one use is recorded in the store inside the
// transaction that records the tokens it buys (GrantStore::RecordCodeUse, the code's hash a unique
// key), so a second redemption is found however the two race; a code whose session has ended buys
// nothing, since that transaction also joins the client to the session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace gh::oidc {

// What an authorization code stands for: the authorization the token endpoint turns into tokens.
struct AuthorizationCode {
  std::string grant_id;  // shared with the tokens issued for it, so a replay can revoke them
  std::string client_id;
  std::string redirect_uri;
  std::string user_id;
  std::string sid;
  std::string scope;
  std::optional<std::string> nonce;
  std::optional<std::string> code_challenge;
  std::string code_challenge_method;  // "S256" or "plain" when a challenge is present
  TimePoint auth_time;
  store::SignInMethod method;  // of the session at authorization, for the ID token's idp/amr/acr
  TimePoint issued_at;
  TimePoint expires_at;
};

// The code that carries `content`. `key`: crypto::kAeadKeyBytes.
std::string SealAuthorizationCode(std::string_view key, const AuthorizationCode& content);

// The content `code` was sealed from; null unless `code` was sealed under `key` as an
// authorization code. Expiry is the redemption's to check (ValidateCodeRedemption), so that an
// expired code is refused as such.
std::optional<AuthorizationCode> OpenAuthorizationCode(std::string_view key, std::string_view code);

}  // namespace gh::oidc
