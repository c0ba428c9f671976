#include "oidc/oauth_error.h"

#include <nlohmann/json.hpp>

namespace gh::oidc {

const char* ToString(OAuthErrorCode code) {
  switch (code) {
    case OAuthErrorCode::kInvalidRequest:
      return "invalid_request";
    case OAuthErrorCode::kInvalidClient:
      return "invalid_client";
    case OAuthErrorCode::kInvalidGrant:
      return "invalid_grant";
    case OAuthErrorCode::kUnauthorizedClient:
      return "unauthorized_client";
    case OAuthErrorCode::kUnsupportedGrantType:
      return "unsupported_grant_type";
    case OAuthErrorCode::kUnsupportedResponseType:
      return "unsupported_response_type";
    case OAuthErrorCode::kInvalidScope:
      return "invalid_scope";
    case OAuthErrorCode::kAccessDenied:
      return "access_denied";
    case OAuthErrorCode::kServerError:
      return "server_error";
    case OAuthErrorCode::kTemporarilyUnavailable:
      return "temporarily_unavailable";
    case OAuthErrorCode::kLoginRequired:
      return "login_required";
    case OAuthErrorCode::kConsentRequired:
      return "consent_required";
    case OAuthErrorCode::kRequestNotSupported:
      return "request_not_supported";
    case OAuthErrorCode::kRequestUriNotSupported:
      return "request_uri_not_supported";
    case OAuthErrorCode::kRegistrationNotSupported:
      return "registration_not_supported";
    case OAuthErrorCode::kUnsupportedTokenType:
      return "unsupported_token_type";
    case OAuthErrorCode::kInvalidToken:
      return "invalid_token";
    case OAuthErrorCode::kInsufficientScope:
      return "insufficient_scope";
  }
  return "server_error";
}

OAuthError::OAuthError(OAuthErrorCode c, std::string d) : code(c), description(std::move(d)) {
  for (char& ch : description)
    if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') ch = '?';
}

OAuthError::OAuthError(const Error& internal)
    : code(internal.code == ErrorCode::kUnavailable ? OAuthErrorCode::kTemporarilyUnavailable
                                                    : OAuthErrorCode::kServerError),
      description(internal.code == ErrorCode::kUnavailable ? "try again shortly"
                                                           : "internal error") {}

int HttpStatus(const OAuthError& error) {
  switch (error.code) {
    case OAuthErrorCode::kInvalidClient:
    case OAuthErrorCode::kInvalidToken:
      return 401;
    case OAuthErrorCode::kInsufficientScope:
      return 403;
    case OAuthErrorCode::kServerError:
      return 500;
    case OAuthErrorCode::kTemporarilyUnavailable:
      return 503;
    default:
      return 400;
  }
}

std::string ToJson(const OAuthError& error) {
  nlohmann::json body = {{"error", ToString(error.code)}};
  if (!error.description.empty()) body["error_description"] = error.description;
  return body.dump();
}

Params ToParams(const OAuthError& error) {
  Params params{{"error", ToString(error.code)}};
  if (!error.description.empty()) params.Add("error_description", error.description);
  return params;
}

}  // namespace gh::oidc
