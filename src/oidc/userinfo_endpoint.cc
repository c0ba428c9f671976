#include "oidc/userinfo_endpoint.h"

#include <nlohmann/json.hpp>

#include "oidc/bearer_token.h"
#include "oidc/oauth_http.h"
#include "oidc/scope.h"
#include "oidc/token_lookup.h"
#include "oidc/token_state.h"
#include "oidc/user_claims.h"

namespace gh::oidc {
namespace {

// RFC 6750 §3: the challenge carries the error; the JSON body repeats it for clients that read
// only bodies. A request without any token gets the bare challenge and no body (§3.1). Server
// failures are not the client's fault and get no challenge.
http::Response Challenge(const std::optional<OAuthError>& error) {
  auto response =
      error ? NoStoreJson(HttpStatus(*error), ToJson(*error)) : http::Response::Text(401, "");
  response.NoStore();
  if (!error || HttpStatus(*error) < 500)
    response.headers.Set("WWW-Authenticate", BearerChallenge(error));
  return response;
}

OAuthError InvalidToken() {
  return {OAuthErrorCode::kInvalidToken, "the access token is invalid or expired"};
}

}  // namespace

http::Response UserInfoEndpoint::Handle(const http::Request& request) const {
  // RFC 6750 §2.2: only a form-encoded POST body can carry the token; any other body has none.
  std::optional<Params> form;
  if (request.method == "POST") {
    if (auto parsed = request.Form(); parsed.ok()) form = *std::move(parsed);
  }
  auto token = ExtractBearerToken(request.headers.Get("Authorization"), form ? &*form : nullptr);
  if (!token.ok()) return Challenge(token.error());
  if (!*token) return Challenge(std::nullopt);

  auto found = FindToken(context_, **token);
  if (!found.ok()) return Challenge(found.error());
  // Only an active access token with an end-user stands for one (refresh tokens are not bearer
  // credentials; client_credentials tokens have no user).
  const store::TokenRecord* record = *found ? &(*found)->record : nullptr;
  if (!record || record->kind != store::TokenKind::kAccess ||
      !IsActive(*record, context_.clock.Now()) || !record->user_id)
    return Challenge(InvalidToken());
  // OpenID Connect Core §5.3: the token must come from an OpenID Connect request.
  if (!HasScope(record->scope, kScopeOpenId))
    return Challenge(OAuthError(OAuthErrorCode::kInsufficientScope, "openid scope required"));
  auto user = context_.store.FindUserById(*record->user_id);
  if (!user.ok()) return Challenge(OAuthError(user.error()));
  if (!*user) return Challenge(InvalidToken());
  return NoStoreJson(200, UserClaims(**user, record->scope).dump());
}

}  // namespace gh::oidc
