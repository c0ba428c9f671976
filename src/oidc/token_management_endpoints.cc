#include "oidc/token_management_endpoints.h"

#include <nlohmann/json.hpp>

#include "core/log.h"
#include "oidc/oauth_http.h"
#include "oidc/token_lookup.h"
#include "oidc/token_management.h"

namespace gh::oidc {

http::Response RevocationEndpoint::Handle(const http::Request& request) const {
  auto revoke = [&]() -> Result<void, OAuthError> {
    GH_ASSIGN_OR_RETURN(auto form, ReadOAuthForm(request));
    GH_ASSIGN_OR_RETURN(auto client, AuthenticateClient(context_.clients, request, form));
    GH_ASSIGN_OR_RETURN(auto token, ParseRevocationRequest(form));
    GH_ASSIGN_OR_RETURN(auto found, FindToken(context_, token));
    if (!found) return {};
    auto& record = found->record;
    if (record.client_id != client.id)
      return OAuthError::UnauthorizedClient("the token was issued to another client");
    if (record.kind == store::TokenKind::kRefresh) {
      GH_RETURN_IF_ERROR(context_.sessions.EndGrant(record.grant_id));
    } else if (found->stored) {
      GH_RETURN_IF_ERROR(context_.store.RevokeToken(record.token_hash));
    } else {
      // Recorded now, as revoked, so introspection refuses it until it expires (a resource server
      // that checks a JWT only locally cannot know: the price of a self-contained JWT).
      record.revoked = true;
      auto recorded = context_.store.PutToken(record);
      // A concurrent revocation of the same token recorded it first.
      if (!recorded.ok() && recorded.error().code != ErrorCode::kAlreadyExists)
        return OAuthError(recorded.error());
    }
    Log(LogLevel::kInfo, "oidc.token_revoked",
        {{"client_id", client.id}, {"grant_id", record.grant_id}});
    return {};
  }();
  if (!revoke.ok()) return OAuthErrorResponse(revoke.error(), request);
  return NoStoreJson(200, "{}");
}

http::Response IntrospectionEndpoint::Handle(const http::Request& request) const {
  auto introspect = [&]() -> Result<nlohmann::json, OAuthError> {
    GH_ASSIGN_OR_RETURN(auto form, ReadOAuthForm(request));
    GH_ASSIGN_OR_RETURN(auto client, AuthenticateClient(context_.clients, request, form));
    if (client.is_public())
      return OAuthError::InvalidClient("introspection requires client authentication");
    GH_ASSIGN_OR_RETURN(auto token, ParseIntrospectionRequest(form));
    GH_ASSIGN_OR_RETURN(auto found, FindToken(context_, token));
    std::optional<store::TokenRecord> record;
    std::optional<std::string> audience;
    if (found && MayIntrospect(client, found->record)) {
      // The token's client (the caller, or the client it is a resource server for): its
      // registration names its access tokens' audience, and once it is removed none of its tokens
      // is active — the recorded ones go with it, the unrecorded JWTs end here.
      const store::ClientRecord* owner = &client;
      std::optional<store::ClientRecord> other;
      if (found->record.client_id != client.id) {
        GH_ASSIGN_OR_RETURN(other, context_.store.FindClient(found->record.client_id));
        owner = other ? &*other : nullptr;
      }
      if (owner) {
        audience = owner->access_token_audience;
        record = std::move(found->record);
      }
    }
    std::optional<store::UserRecord> user;
    if (record && record->user_id) {
      GH_ASSIGN_OR_RETURN(user, context_.store.FindUserById(*record->user_id));
    }
    return IntrospectionResponse(record, user, context_.settings.issuer, context_.clock.Now(),
                                 audience);
  }();
  if (!introspect.ok()) return OAuthErrorResponse(introspect.error(), request);
  return NoStoreJson(200, introspect->dump());
}

}  // namespace gh::oidc
