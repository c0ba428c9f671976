#include "oidc/token_management.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

Result<std::string, OAuthError> RequiredToken(const Params& form) {
  auto token = form.Get("token");
  if (!token) return OAuthError::InvalidRequest("token is required");
  return *token;
}

}  // namespace

Result<std::string, OAuthError> ParseRevocationRequest(const Params& form) {
  GH_ASSIGN_OR_RETURN(auto token, RequiredToken(form));
  auto hint = form.Get("token_type_hint");
  if (hint && *hint != "access_token" && *hint != "refresh_token")
    return OAuthError(OAuthErrorCode::kUnsupportedTokenType, "unsupported token_type_hint");
  return token;
}

Result<std::string, OAuthError> ParseIntrospectionRequest(const Params& form) {
  return RequiredToken(form);
}

bool MayIntrospect(const store::ClientRecord& caller, const store::TokenRecord& token) {
  return token.client_id == caller.id ||
         std::find(caller.resource_server_for.begin(), caller.resource_server_for.end(),
                   token.client_id) != caller.resource_server_for.end();
}

nlohmann::json IntrospectionResponse(const std::optional<store::TokenRecord>& token,
                                     const std::optional<store::UserRecord>& user,
                                     std::string_view issuer, TimePoint now,
                                     const std::optional<std::string>& access_token_audience) {
  if (!token || !IsActive(*token, now)) return {{"active", false}};
  const bool access = token->kind == store::TokenKind::kAccess;
  nlohmann::json body = {
      {"active", true},
      {"client_id", token->client_id},
      {"exp", ToUnixSeconds(token->expires_at)},
      {"iat", ToUnixSeconds(token->issued_at)},
      {"iss", std::string(issuer)},
      {"aud", access && access_token_audience ? *access_token_audience : token->client_id}};
  if (!token->scope.empty()) body["scope"] = token->scope;
  // token_type is the RFC 6749 §7.1 type, which only access tokens have.
  if (access) body["token_type"] = "Bearer";
  if (token->user_id) body["sub"] = *token->user_id;
  if (user) body["username"] = user->username;
  if (token->sid) body["sid"] = *token->sid;
  return body;
}

}  // namespace gh::oidc
