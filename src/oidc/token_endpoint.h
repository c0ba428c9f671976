// TokenEndpoint: POST /token (RFC 6749 §3.2) for the authorization_code, refresh_token and
// client_credentials grants.
#pragma once

#include <functional>
#include <string_view>

#include "http/message.h"
#include "oidc/oauth_error.h"
#include "oidc/provider_context.h"
#include "oidc/token_issuer.h"
#include "oidc/token_request.h"

namespace gh::oidc {

class TokenEndpoint {
 public:
  explicit TokenEndpoint(const ProviderContext& context) : context_(context), issuer_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  Result<TokenResponse, OAuthError> Redeem(const store::ClientRecord& client,
                                           const AuthorizationCodeGrant& grant) const;
  Result<TokenResponse, OAuthError> Refresh(const store::ClientRecord& client,
                                            const RefreshTokenGrant& grant) const;
  Result<TokenResponse, OAuthError> ClientCredentials(const store::ClientRecord& client) const;
  // Records `client_id` as a participant of live session `sid` inside `tx`; invalid_grant once
  // the session has ended, so no token is ever issued from an ended session.
  Result<void, OAuthError> JoinSession(store::Store& tx, std::string_view sid,
                                       std::string_view client_id) const;
  // Runs `before` (e.g. retiring the presented refresh token) and the issuance in one store
  // transaction, so either all of it happens or none.
  Result<TokenResponse, OAuthError> IssueAtomically(
      const Issuance& issuance,
      const std::function<Result<void, OAuthError>(store::Store& tx)>& before = {}) const;

  ProviderContext context_;
  TokenIssuer issuer_;
};

}  // namespace gh::oidc
