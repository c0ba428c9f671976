// TokenIssuer: mints the tokens of every grant — an access token (opaque, or an RFC 9068 JWT for
// clients registered with an access-token audience), optionally a refresh token, and an ID token
// when an end-user is present and openid was granted — and records (hashed) those that need a
// record: refresh tokens, and end-users' JWT access tokens. An opaque access token carries its
// own record (sealed_access_token.h), as does a client's own JWT (access_token_jwt.h). Minting
// (signing the ID token, the slow part) and recording are two steps, so that the caller's write
// transaction holds the store's lock only to record.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "oidc/oauth_error.h"
#include "oidc/provider_context.h"
#include "oidc/token_response.h"
#include "store/records.h"
#include "store/store.h"

namespace gh::oidc {

// What one token response covers.
struct Issuance {
  std::string grant_id;  // shared by all tokens of one authorization, so they can be revoked
  store::ClientRecord client;
  std::optional<store::UserRecord> user;  // none for client_credentials
  std::optional<std::string> sid;
  std::string scope;                         // of the access token and the ID token's claims
  std::optional<std::string> refresh_scope;  // a refresh token is issued when set
  std::optional<TimePoint> auth_time;
  std::optional<store::SignInMethod> method;  // of the session, for idp, amr and acr
  std::optional<std::string> nonce;
};

// Tokens minted for one response and not yet recorded: the response may be sent once `records`
// are stored.
struct MintedTokens {
  TokenResponse response;
  std::vector<store::TokenRecord> records;  // the tokens that are recorded, hashed
};

class TokenIssuer {
 public:
  explicit TokenIssuer(const ProviderContext& context) : context_(context) {}

  // Mints the tokens of `issuance` without touching the store.
  Result<MintedTokens, OAuthError> Mint(const Issuance& issuance) const;
  // Stores minted tokens through `grants` (normally the caller's transaction).
  static Result<void, OAuthError> Record(const MintedTokens& tokens, store::GrantStore& grants);

 private:
  // A new refresh token for `issuance.refresh_scope`; its record is added to `tokens`.
  std::string MintRefreshToken(const Issuance& issuance, MintedTokens& tokens) const;
  // An RFC 9068 access token for the client's registered audience. An end-user's is recorded like
  // an opaque one (signing out revokes it); a client's own (client_credentials) is not.
  Result<std::string, OAuthError> MintJwtAccessToken(const Issuance& issuance,
                                                     const std::string& audience,
                                                     MintedTokens& tokens) const;
  Result<std::string, OAuthError> MintIdToken(const Issuance& issuance,
                                              const std::string& access_token) const;

  ProviderContext context_;
};

}  // namespace gh::oidc
