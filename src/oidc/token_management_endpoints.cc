#include "oidc/token_management_endpoints.h"

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "oidc/oauth_http.h"
#include "oidc/token_management.h"
#include "oidc/token_state.h"

namespace gh::oidc {

http::Response RevocationEndpoint::Handle(const http::Request& request) const {
  auto revoke = [&]() -> Result<void, OAuthError> {
    GH_ASSIGN_OR_RETURN(auto form, ReadOAuthForm(request));
    GH_ASSIGN_OR_RETURN(auto client, AuthenticateClient(context_.store, request, form));
    GH_ASSIGN_OR_RETURN(auto token, ParseRevocationRequest(form));
    GH_ASSIGN_OR_RETURN(auto record, context_.store.FindToken(SecretHash(token)));
    if (!record) return {};
    if (record->client_id != client.id)
      return OAuthError::UnauthorizedClient("the token was issued to another client");
    if (record->kind == store::TokenKind::kRefresh) {
      GH_RETURN_IF_ERROR(context_.store.RevokeGrant(record->grant_id));
    } else {
      GH_RETURN_IF_ERROR(context_.store.RevokeToken(record->token_hash));
    }
    Log(LogLevel::kInfo, "oidc.token_revoked",
        {{"client_id", client.id}, {"grant_id", record->grant_id}});
    return {};
  }();
  if (!revoke.ok()) return OAuthErrorResponse(revoke.error(), request);
  return NoStoreJson(200, "{}");
}

http::Response IntrospectionEndpoint::Handle(const http::Request& request) const {
  auto introspect = [&]() -> Result<nlohmann::json, OAuthError> {
    GH_ASSIGN_OR_RETURN(auto form, ReadOAuthForm(request));
    GH_ASSIGN_OR_RETURN(auto client, AuthenticateClient(context_.store, request, form));
    if (client.is_public())
      return OAuthError::InvalidClient("introspection requires client authentication");
    GH_ASSIGN_OR_RETURN(auto token, ParseIntrospectionRequest(form));
    GH_ASSIGN_OR_RETURN(auto record, context_.store.FindToken(SecretHash(token)));
    if (record && !MayIntrospect(client, *record)) record.reset();
    std::optional<store::UserRecord> user;
    if (record && record->user_id) {
      GH_ASSIGN_OR_RETURN(user, context_.store.FindUserById(*record->user_id));
    }
    return IntrospectionResponse(record, user, context_.settings.issuer, context_.clock.Now());
  }();
  if (!introspect.ok()) return OAuthErrorResponse(introspect.error(), request);
  return NoStoreJson(200, introspect->dump());
}

}  // namespace gh::oidc
