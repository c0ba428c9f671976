#include "oidc/token_request.h"

#include <algorithm>

#include "oidc/grant_types.h"
#include "oidc/pkce.h"
#include "oidc/scope.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

Result<std::string, OAuthError> Required(const Params& form, std::string_view name) {
  auto value = form.Get(name);
  if (!value) return OAuthError::InvalidRequest(std::string(name) + " is required");
  return *value;
}

}  // namespace

Result<TokenRequest, OAuthError> ParseTokenRequest(const Params& form) {
  GH_ASSIGN_OR_RETURN(auto grant_type, Required(form, "grant_type"));
  if (grant_type == kGrantAuthorizationCode) {
    AuthorizationCodeGrant grant;
    GH_ASSIGN_OR_RETURN(grant.code, Required(form, "code"));
    // Required because our authorization requests always carry one (RFC 6749 §4.1.3).
    GH_ASSIGN_OR_RETURN(grant.redirect_uri, Required(form, "redirect_uri"));
    grant.code_verifier = form.Get("code_verifier");
    return TokenRequest(std::move(grant));
  }
  if (grant_type == kGrantRefreshToken) {
    RefreshTokenGrant grant;
    GH_ASSIGN_OR_RETURN(grant.refresh_token, Required(form, "refresh_token"));
    grant.scope = form.Get("scope");
    return TokenRequest(std::move(grant));
  }
  if (grant_type == kGrantClientCredentials) return TokenRequest(ClientCredentialsGrant{});
  return OAuthError(OAuthErrorCode::kUnsupportedGrantType, "unsupported grant_type");
}

Result<void, OAuthError> CheckGrantAllowed(const TokenRequest& request,
                                           const store::ClientRecord& client) {
  if (std::holds_alternative<ClientCredentialsGrant>(request) && client.is_public())
    return OAuthError::UnauthorizedClient("public clients cannot use client_credentials");
  struct GrantTypeOf {
    std::string_view operator()(const AuthorizationCodeGrant&) { return kGrantAuthorizationCode; }
    std::string_view operator()(const RefreshTokenGrant&) { return kGrantRefreshToken; }
    std::string_view operator()(const ClientCredentialsGrant&) { return kGrantClientCredentials; }
  };
  std::string_view grant_type = std::visit(GrantTypeOf{}, request);
  if (!IsRegisteredFor(client, grant_type))
    return OAuthError::UnauthorizedClient("the client is not registered for the " +
                                          std::string(grant_type) + " grant");
  return {};
}

Result<void, OAuthError> ValidateCodeRedemption(const AuthorizationCode& code,
                                                const AuthorizationCodeGrant& grant,
                                                std::string_view client_id, TimePoint now) {
  if (now >= code.expires_at) return OAuthError::InvalidGrant("authorization code expired");
  if (code.client_id != client_id)
    return OAuthError::InvalidGrant("authorization code was issued to another client");
  if (code.redirect_uri != grant.redirect_uri)
    return OAuthError::InvalidGrant("redirect_uri does not match the authorization request");
  return VerifyCodeVerifier(code.code_challenge, grant.code_verifier);
}

Result<std::string, OAuthError> ValidateRefresh(const store::TokenRecord& token,
                                                const RefreshTokenGrant& grant,
                                                std::string_view client_id, TimePoint now) {
  if (token.kind != store::TokenKind::kRefresh)
    return OAuthError::InvalidGrant("not a refresh token");
  if (token.client_id != client_id)
    return OAuthError::InvalidGrant("refresh token was issued to another client");
  if (token.revoked) return OAuthError::InvalidGrant("refresh token was revoked");
  if (!IsActive(token, now)) return OAuthError::InvalidGrant("refresh token expired");
  return NarrowScope(token.scope, grant.scope);
}

Result<std::string, OAuthError> NarrowScope(std::string_view granted,
                                            const std::optional<std::string>& requested) {
  if (!requested) return std::string(granted);
  auto granted_tokens = SplitScope(granted);
  auto requested_tokens = SplitScope(*requested);
  for (const auto& token : requested_tokens)
    if (std::find(granted_tokens.begin(), granted_tokens.end(), token) == granted_tokens.end())
      return OAuthError::InvalidScope("scope exceeds the original grant");
  return JoinScope(requested_tokens);
}

}  // namespace gh::oidc
