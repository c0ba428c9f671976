// OAuthError: an OAuth 2.0 / OpenID Connect error as the protocol defines it (RFC 6749 §4.1.2.1
// and §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, OpenID Connect Core §3.1.2.6), independent of how it
// is delivered (redirect, JSON body or WWW-Authenticate challenge).
#pragma once

#include <string>
#include <string_view>

#include "core/params.h"
#include "core/result.h"

namespace gh::oidc {

enum class OAuthErrorCode {
  kInvalidRequest,
  kInvalidClient,
  kInvalidGrant,
  kUnauthorizedClient,
  kUnsupportedGrantType,
  kUnsupportedResponseType,
  kInvalidScope,
  kAccessDenied,
  kServerError,
  kTemporarilyUnavailable,
  kLoginRequired,
  kConsentRequired,
  kRequestNotSupported,
  kRequestUriNotSupported,
  kRegistrationNotSupported,
  kUnsupportedTokenType,
  kInvalidToken,
  kInsufficientScope,
};

// The registered error string, e.g. "invalid_grant".
const char* ToString(OAuthErrorCode code);

struct OAuthError {
  OAuthErrorCode code = OAuthErrorCode::kServerError;
  std::string description;  // error_description: ASCII for the client developer, never secrets

  OAuthError() = default;
  // RFC 6749 §5.2 limits error_description to printable ASCII without '"' and '\'; any other
  // character (e.g. from an echoed parameter name) becomes '?'.
  OAuthError(OAuthErrorCode c, std::string d);
  // A failure of the store or another dependency: temporarily_unavailable when retrying may help,
  // server_error otherwise. The internal message stays in the logs, not in the response.
  explicit OAuthError(const Error& internal);

  static OAuthError InvalidRequest(std::string d) {
    return {OAuthErrorCode::kInvalidRequest, std::move(d)};
  }
  static OAuthError InvalidClient(std::string d) {
    return {OAuthErrorCode::kInvalidClient, std::move(d)};
  }
  static OAuthError InvalidGrant(std::string d) {
    return {OAuthErrorCode::kInvalidGrant, std::move(d)};
  }
  static OAuthError InvalidScope(std::string d) {
    return {OAuthErrorCode::kInvalidScope, std::move(d)};
  }
  static OAuthError UnauthorizedClient(std::string d) {
    return {OAuthErrorCode::kUnauthorizedClient, std::move(d)};
  }
  static OAuthError ServerError(std::string d) {
    return {OAuthErrorCode::kServerError, std::move(d)};
  }
};

// The HTTP status of a direct (non-redirect) error response: 401 for invalid_client (RFC 6749
// §5.2) and invalid_token (RFC 6750 §3.1), 403 for insufficient_scope, 500/503 for server
// failures, 400 otherwise.
int HttpStatus(const OAuthError& error);

// {"error":…,"error_description":…} (RFC 6749 §5.2).
std::string ToJson(const OAuthError& error);

// error and error_description as response parameters of a redirect (RFC 6749 §4.1.2.1).
Params ToParams(const OAuthError& error);

}  // namespace gh::oidc
