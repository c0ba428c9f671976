#include "oidc/token_endpoint.h"

#include "core/log.h"
#include "oidc/authorization_code.h"
#include "oidc/grant_types.h"
#include "oidc/oauth_http.h"
#include "oidc/scope.h"
#include "oidc/token_state.h"

namespace gh::oidc {

http::Response TokenEndpoint::Handle(const http::Request& request) const {
  auto respond = [&]() -> Result<TokenResponse, OAuthError> {
    GH_ASSIGN_OR_RETURN(auto form, ReadOAuthForm(request));
    GH_ASSIGN_OR_RETURN(auto client, AuthenticateClient(context_.clients, request, form));
    GH_ASSIGN_OR_RETURN(auto token_request, ParseTokenRequest(form));
    GH_RETURN_IF_ERROR(CheckGrantAllowed(token_request, client));
    if (auto* code = std::get_if<AuthorizationCodeGrant>(&token_request))
      return Redeem(client, *code);
    if (auto* refresh = std::get_if<RefreshTokenGrant>(&token_request))
      return Refresh(client, *refresh);
    return ClientCredentials(client);
  };
  auto result = respond();
  if (!result.ok()) return OAuthErrorResponse(result.error(), request);
  return NoStoreJson(200, ToJson(*result));
}

Result<TokenResponse, OAuthError> TokenEndpoint::IssueAtomically(
    const Issuance& issuance,
    const std::function<Result<void, OAuthError>(store::Store& tx)>& before) const {
  // Signed before the transaction: an RSA signature inside it would hold the store's write lock
  // (SQLite's is one per database) for a quarter of a millisecond per token response.
  GH_ASSIGN_OR_RETURN(auto minted, issuer_.Mint(issuance));
  // Nothing to record (a client's own access token): no transaction, no write lock.
  if (!before && minted.records.empty()) return std::move(minted.response);
  std::optional<OAuthError> refused;
  auto committed = context_.store.InTransaction([&](store::Store& tx) -> Result<void> {
    auto outcome = [&]() -> Result<void, OAuthError> {
      if (before) GH_RETURN_IF_ERROR(before(tx));
      return TokenIssuer::Record(minted, tx);
    }();
    if (outcome.ok()) return Ok();
    refused = std::move(outcome).error();
    return Error::FailedPrecondition("token issuance refused");
  });
  if (refused) return *refused;
  if (!committed.ok()) return OAuthError(committed.error());
  return std::move(minted.response);
}

Result<TokenResponse, OAuthError> TokenEndpoint::Redeem(const store::ClientRecord& client,
                                                        const AuthorizationCodeGrant& grant) const {
  auto code = OpenAuthorizationCode(context_.settings.sealing_key, grant.code);
  if (!code) return OAuthError::InvalidGrant("unknown authorization code");
  GH_RETURN_IF_ERROR(ValidateCodeRedemption(*code, grant, client.id, context_.clock.Now()));
  GH_ASSIGN_OR_RETURN(auto user, context_.store.FindUserById(code->user_id));
  if (!user) return OAuthError::InvalidGrant("the user no longer exists");
  Issuance issuance{.grant_id = code->grant_id,
                    .client = client,
                    .user = *user,
                    .sid = code->sid,
                    .scope = code->scope,
                    // RFC 6749 §6: refresh tokens only for a client registered to use them.
                    .refresh_scope = IsRegisteredFor(client, kGrantRefreshToken)
                                         ? std::optional(code->scope)
                                         : std::nullopt,
                    .auth_time = code->auth_time,
                    .method = code->method,
                    .nonce = code->nonce};
  bool replayed = false;
  auto issued = IssueAtomically(issuance, [&](store::Store& tx) -> Result<void, OAuthError> {
    // The code's one use, recorded with the tokens it buys: both are stored or neither.
    if (auto recorded = tx.RecordCodeUse(SecretHash(grant.code), code->expires_at);
        !recorded.ok()) {
      if (recorded.error().code != ErrorCode::kAlreadyExists) return OAuthError(recorded.error());
      replayed = true;
      return OAuthError::InvalidGrant("authorization code already used");
    }
    return JoinSession(tx, code->sid, client.id);
  });
  if (replayed) {
    // RFC 6749 §4.1.2: a code used twice was stolen or leaked; revoke what it produced.
    auto revoked = context_.sessions.EndGrant(code->grant_id);
    Log(LogLevel::kWarn, "oidc.code_replayed",
        {{"client_id", client.id}, {"grant_id", code->grant_id}, {"revoked", revoked.value_or(0)}});
  }
  return issued;
}

Result<void, OAuthError> TokenEndpoint::JoinSession(store::Store& tx, std::string_view sid,
                                                    std::string_view client_id) const {
  auto joined = context_.sessions.AddParticipant(tx, sid, client_id, "oidc");
  if (joined.ok()) return {};
  if (joined.error().code == ErrorCode::kFailedPrecondition)
    return OAuthError::InvalidGrant("the session this grant belongs to has ended");
  return OAuthError(joined.error());
}

Result<TokenResponse, OAuthError> TokenEndpoint::Refresh(const store::ClientRecord& client,
                                                         const RefreshTokenGrant& grant) const {
  GH_ASSIGN_OR_RETURN(auto token, context_.store.FindToken(SecretHash(grant.refresh_token)));
  if (!token) return OAuthError::InvalidGrant("unknown refresh token");
  auto revoke_grant = [&](const char* event) {
    auto revoked = context_.sessions.EndGrant(token->grant_id);
    Log(LogLevel::kWarn, event,
        {{"client_id", client.id},
         {"grant_id", token->grant_id},
         {"revoked", revoked.value_or(0)}});
  };
  auto scope = ValidateRefresh(*token, grant, client.id, context_.clock.Now());
  if (!scope.ok()) {
    // RFC 9700 §4.14.2: a rotated-out refresh token coming back means two parties hold it.
    if (token->revoked) revoke_grant("oidc.refresh_token_reused");
    return std::move(scope).error();
  }
  Issuance issuance;
  issuance.grant_id = token->grant_id;
  issuance.client = client;
  issuance.sid = token->sid;
  issuance.scope = *scope;
  // RFC 6749 §6: the new refresh token keeps the scope of the one it replaces.
  issuance.refresh_scope = token->scope;
  if (token->user_id) {
    GH_ASSIGN_OR_RETURN(issuance.user, context_.store.FindUserById(*token->user_id));
    if (!issuance.user) return OAuthError::InvalidGrant("the user no longer exists");
  }
  // An offline grant outlives the session it was obtained in (Back-Channel Logout 1.0 §2.7);
  // every other refresh token lives only as long as its session.
  bool session_bound = token->sid && !HasScope(token->scope, kScopeOfflineAccess);
  if (token->sid) {
    // OpenID Connect Core §12.2: auth_time stays that of the original authentication.
    GH_ASSIGN_OR_RETURN(auto session, context_.store.FindSessionBySid(*token->sid));
    if (session) {
      issuance.auth_time = session->auth_time;
      issuance.method = session->method;
    }
    // Tokens refreshed from an offline grant after its session ended claim no session.
    if (!session_bound && (!session || !session->active())) issuance.sid.reset();
  }
  bool raced = false;
  auto issued = IssueAtomically(issuance, [&](store::Store& tx) -> Result<void, OAuthError> {
    if (session_bound) GH_RETURN_IF_ERROR(JoinSession(tx, *token->sid, client.id));
    GH_ASSIGN_OR_RETURN(bool retired, tx.RevokeToken(token->token_hash));
    // Another request rotated this token first: the same reuse as above, caught in the race.
    raced = !retired;
    if (raced) return OAuthError::InvalidGrant("refresh token was revoked");
    return {};
  });
  if (raced) revoke_grant("oidc.refresh_token_reused");
  return issued;
}

Result<TokenResponse, OAuthError> TokenEndpoint::ClientCredentials(
    const store::ClientRecord& client) const {
  Issuance issuance;
  issuance.grant_id = context_.random.Token(16);
  issuance.client = client;
  return IssueAtomically(issuance);
}

}  // namespace gh::oidc
