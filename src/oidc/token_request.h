// Access token requests (RFC 6749 §4.1.3, §4.4.2, §6) and the rules for redeeming what they
// present: an authorization code or a refresh token.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/params.h"
#include "core/result.h"
#include "oidc/authorization_code.h"
#include "oidc/oauth_error.h"
#include "store/records.h"

namespace gh::oidc {

struct AuthorizationCodeGrant {
  std::string code;
  std::string redirect_uri;
  std::optional<std::string> code_verifier;
};

struct RefreshTokenGrant {
  std::string refresh_token;
  std::optional<std::string> scope;  // may only narrow the original grant (RFC 6749 §6)
};

// Client credentials tokens carry no scope: every scope this provider knows describes an
// end-user, and there is none (RFC 6749 §3.3 lets the server grant less than requested).
struct ClientCredentialsGrant {};

using TokenRequest =
    std::variant<AuthorizationCodeGrant, RefreshTokenGrant, ClientCredentialsGrant>;

// Reads grant_type and its parameters: invalid_request when one is missing,
// unsupported_grant_type for a grant type this provider does not offer.
Result<TokenRequest, OAuthError> ParseTokenRequest(const Params& form);

// RFC 6749 §5.2: a client may use only the grants it is registered for, and client_credentials
// only when it is confidential (§4.4); unauthorized_client otherwise.
Result<void, OAuthError> CheckGrantAllowed(const TokenRequest& request,
                                           const store::ClientRecord& client);

// RFC 6749 §4.1.3 and RFC 7636 §4.6: the code must be unexpired, issued to this client for this
// exact redirect_uri, and match the PKCE challenge. Every failure is invalid_grant. That it is
// used once is recorded with the tokens it buys (authorization_code.h).
Result<void, OAuthError> ValidateCodeRedemption(const AuthorizationCode& code,
                                                const AuthorizationCodeGrant& grant,
                                                std::string_view client_id, TimePoint now);

// RFC 6749 §6 and RFC 9700 §4.14.2: the refresh token must be one, issued to this client, not
// revoked (a revoked one presented again signals theft) and not expired. Returns the scope of the
// new access token: the requested subset of the original grant, or all of it.
Result<std::string, OAuthError> ValidateRefresh(const store::TokenRecord& token,
                                                const RefreshTokenGrant& grant,
                                                std::string_view client_id, TimePoint now);

// The requested scope when every token of it was granted, else invalid_scope (RFC 6749 §6).
Result<std::string, OAuthError> NarrowScope(std::string_view granted,
                                            const std::optional<std::string>& requested);

}  // namespace gh::oidc
