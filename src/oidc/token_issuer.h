// TokenIssuer: mints the tokens of every grant — an opaque access token, optionally a refresh
// token, and an ID token when an end-user is present and openid was granted — and records the
// opaque ones (hashed) in the store.
#pragma once

#include <optional>
#include <string>

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

class TokenIssuer {
 public:
  explicit TokenIssuer(const ProviderContext& context) : context_(context) {}

  // Stores the new tokens through `grants` (normally the caller's transaction).
  Result<TokenResponse, OAuthError> Issue(const Issuance& issuance,
                                          store::GrantStore& grants) const;

 private:
  Result<std::string, OAuthError> MintOpaque(const Issuance& issuance, store::TokenKind kind,
                                             std::string scope, Seconds ttl,
                                             store::GrantStore& grants) const;
  Result<std::string, OAuthError> MintIdToken(const Issuance& issuance,
                                              const std::string& access_token) const;

  ProviderContext context_;
};

}  // namespace gh::oidc
