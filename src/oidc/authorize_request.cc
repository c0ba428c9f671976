#include "oidc/authorize_request.h"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "oidc/discovery.h"
#include "oidc/grant_types.h"
#include "oidc/pkce.h"
#include "oidc/request_params.h"
#include "oidc/scope.h"

namespace gh::oidc {
namespace {

constexpr std::string_view kPromptConsent = "consent";

constexpr std::string_view kResponseTypeCode = "code";
// Larger max_age values mean the same (no session is this old) and would overflow the clock's
// nanosecond arithmetic.
constexpr std::int64_t kMaxAgeCeiling = std::int64_t{100} * 366 * 24 * 3600;

// Rejects what this provider does not support but a client might rely on (OpenID Connect Core
// §6.1, §6.2 and OpenID Connect Dynamic Client Registration §2.1).
Result<void, OAuthError> RejectUnsupportedParameters(const Params& params) {
  if (params.Get("request"))
    return OAuthError(OAuthErrorCode::kRequestNotSupported, "request objects are not supported");
  if (params.Get("request_uri"))
    return OAuthError(OAuthErrorCode::kRequestUriNotSupported, "request_uri is not supported");
  if (params.Get("registration"))
    return OAuthError(OAuthErrorCode::kRegistrationNotSupported,
                      "the registration parameter is not supported");
  return {};
}

Result<std::optional<ResponseMode>, OAuthError> ParseResponseMode(const Params& params) {
  auto mode = params.Get("response_mode");
  if (!mode) return std::optional<ResponseMode>();
  if (*mode == "query") return std::optional<ResponseMode>(ResponseMode::kQuery);
  if (*mode == "form_post") return std::optional<ResponseMode>(ResponseMode::kFormPost);
  return OAuthError::InvalidRequest("unsupported response_mode");
}

// OpenID Connect Core §3.1.2.1: the request must carry openid; scopes we do not know are ignored
// (RFC 6749 §3.3 lets the server grant less than requested).
Result<std::string, OAuthError> ParseScope(const Params& params,
                                           const store::ClientRecord& client) {
  auto requested = SplitScope(params.Get("scope").value_or(""));
  if (std::find(requested.begin(), requested.end(), kScopeOpenId) == requested.end())
    return OAuthError::InvalidScope("scope must include openid");
  const auto& known = SupportedScopes();
  // offline_access asks for a refresh token (OpenID Connect Core §11): meaningless, and not worth
  // the end-user's consent, for a client that is never given one.
  const bool may_refresh = IsRegisteredFor(client, kGrantRefreshToken);
  std::erase_if(requested, [&](const std::string& s) {
    return std::find(known.begin(), known.end(), s) == known.end() ||
           (s == kScopeOfflineAccess && !may_refresh);
  });
  return JoinScope(requested);
}

// OpenID Connect Core §3.1.2.1: space-delimited; "none" must stand alone. Prompt values this
// provider does not know are invalid_request (OpenID Connect Prompt Create §4.1).
Result<Prompt, OAuthError> ParsePrompt(const Params& params) {
  Prompt prompt;
  auto values = SplitScope(params.Get("prompt").value_or(""));
  for (const auto& value : values) {
    if (value == "none")
      prompt.none = true;
    else if (value == "login")
      prompt.login = true;
    else if (value == kPromptConsent)
      prompt.consent = true;
    else if (value == "select_account")
      prompt.select_account = true;
    else
      return OAuthError::InvalidRequest("unsupported prompt value");
  }
  if (prompt.none && values.size() > 1)
    return OAuthError::InvalidRequest("prompt=none cannot be combined with other values");
  return prompt;
}

// OpenID Connect Core §3.1.2.1: max_age is a non-negative integer number of seconds.
Result<std::optional<Seconds>, OAuthError> ParseMaxAge(const Params& params) {
  auto text = params.Get("max_age");
  if (!text) return std::optional<Seconds>();
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || ptr != end || value < 0 ||
      !std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return OAuthError::InvalidRequest("max_age must be a non-negative integer");
  return std::optional<Seconds>(Seconds(std::min(value, kMaxAgeCeiling)));
}

}  // namespace

Result<ClientRedirect, OAuthError> ParseClientRedirect(const Params& params) {
  if (params.Count("client_id") > 1) return OAuthError::InvalidRequest("client_id is repeated");
  if (params.Count("redirect_uri") > 1)
    return OAuthError::InvalidRequest("redirect_uri is repeated");
  auto client_id = params.Get("client_id");
  if (!client_id) return OAuthError::InvalidRequest("client_id is required");
  // OpenID Connect Core §3.1.2.1 makes redirect_uri REQUIRED.
  auto redirect_uri = params.Get("redirect_uri");
  if (!redirect_uri) return OAuthError::InvalidRequest("redirect_uri is required");
  return ClientRedirect{*client_id, *redirect_uri};
}

bool IsRegisteredRedirectUri(const store::ClientRecord& client, std::string_view redirect_uri) {
  return std::find(client.redirect_uris.begin(), client.redirect_uris.end(), redirect_uri) !=
         client.redirect_uris.end();
}

ResponseTarget ErrorResponseTarget(const Params& params, std::string redirect_uri) {
  auto mode = ParseResponseMode(params);
  return ResponseTarget{std::move(redirect_uri), mode.ok() && *mode ? **mode : ResponseMode::kQuery,
                        params.Get("state")};
}

Result<AuthorizeRequest, OAuthError> ParseAuthorizeRequest(const Params& params,
                                                           const store::ClientRecord& client) {
  GH_RETURN_IF_ERROR(RejectRepeatedParameters(params));
  GH_ASSIGN_OR_RETURN(auto redirect, ParseClientRedirect(params));
  AuthorizeRequest request;
  request.client_id = redirect.client_id;
  request.target = ErrorResponseTarget(params, redirect.redirect_uri);
  GH_RETURN_IF_ERROR(RejectUnsupportedParameters(params));
  GH_RETURN_IF_ERROR(ParseResponseMode(params));

  // RFC 6749 §4.1.1 / §4.1.2.1: a missing response_type is a malformed request; any value other
  // than "code" is a type this server does not support.
  auto response_type = params.Get("response_type");
  if (!response_type) return OAuthError::InvalidRequest("response_type is required");
  if (*response_type != kResponseTypeCode)
    return OAuthError(OAuthErrorCode::kUnsupportedResponseType,
                      "only response_type=code is supported");
  if (!IsRegisteredFor(client, kGrantAuthorizationCode))
    return OAuthError::UnauthorizedClient(
        "the client is not registered for the authorization_code grant");

  GH_ASSIGN_OR_RETURN(request.scope, ParseScope(params, client));
  request.code_challenge = params.Get("code_challenge");
  GH_RETURN_IF_ERROR(ValidateChallenge(request.code_challenge, params.Get("code_challenge_method"),
                                       client.is_public()));
  GH_ASSIGN_OR_RETURN(request.prompt, ParsePrompt(params));
  GH_ASSIGN_OR_RETURN(request.max_age, ParseMaxAge(params));
  request.nonce = params.Get("nonce");
  request.id_token_hint = params.Get("id_token_hint");
  return request;
}

LoginDecision DecideLogin(const AuthorizeRequest& request,
                          std::optional<TimePoint> session_auth_time, TimePoint now,
                          bool hint_names_another_user) {
  bool needed = !session_auth_time || request.prompt.login || hint_names_another_user ||
                (request.max_age && now - *session_auth_time > *request.max_age);
  if (!needed) return LoginDecision::kProceed;
  return request.prompt.none ? LoginDecision::kLoginRequired : LoginDecision::kShowLogin;
}

ConsentDecision DecideConsent(const AuthorizeRequest& request, bool remembered) {
  if (!HasScope(request.scope, kScopeOfflineAccess)) return ConsentDecision::kProceed;
  if (remembered && !request.prompt.consent) return ConsentDecision::kProceed;
  return request.prompt.none ? ConsentDecision::kConsentRequired : ConsentDecision::kAsk;
}

std::string ResumeAfterConsentPath(const Params& params, bool granted) {
  Params resumed;
  for (const auto& [name, value] : params.items()) {
    if (name == "max_age") continue;
    if (name != "prompt" && (name != "scope" || granted)) {
      resumed.Add(name, value);
      continue;
    }
    auto values = SplitScope(value);
    std::erase(values, name == "prompt" ? kPromptConsent : kScopeOfflineAccess);
    if (!values.empty()) resumed.Add(name, JoinScope(values));
  }
  return std::string(kAuthorizePath) + "?" + resumed.Encode();
}

std::string ResumeAfterLoginPath(const Params& params) {
  Params resumed;
  for (const auto& [name, value] : params.items()) {
    if (name == "max_age" || name == "id_token_hint") continue;
    if (name != "prompt") {
      resumed.Add(name, value);
      continue;
    }
    auto values = SplitScope(value);
    std::erase(values, "login");
    if (!values.empty()) resumed.Add(name, JoinScope(values));
  }
  return std::string(kAuthorizePath) + "?" + resumed.Encode();
}

}  // namespace gh::oidc
