#include "oidc/token_issuer.h"

#include "oidc/access_token_jwt.h"
#include "oidc/id_token.h"
#include "oidc/scope.h"
#include "oidc/sealed_access_token.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

constexpr std::size_t kTokenBytes = 32;

// The record of one of `issuance`'s tokens, but for the token's hash.
store::TokenRecord RecordOf(const Issuance& issuance, store::TokenKind kind, std::string scope,
                            TimePoint issued_at, TimePoint expires_at) {
  store::TokenRecord record;
  record.kind = kind;
  record.grant_id = issuance.grant_id;
  record.client_id = issuance.client.id;
  if (issuance.user) record.user_id = issuance.user->id;
  record.sid = issuance.sid;
  record.scope = std::move(scope);
  record.issued_at = issued_at;
  record.expires_at = expires_at;
  return record;
}

}  // namespace

std::string TokenIssuer::MintRefreshToken(const Issuance& issuance, MintedTokens& tokens) const {
  std::string token = context_.random.Token(kTokenBytes);
  auto now = context_.clock.Now();
  tokens.records.push_back(RecordOf(issuance, store::TokenKind::kRefresh, *issuance.refresh_scope,
                                    now, now + context_.settings.refresh_token_ttl));
  tokens.records.back().token_hash = SecretHash(token);  // only its hash is kept
  return token;
}

Result<std::string, OAuthError> TokenIssuer::MintJwtAccessToken(const Issuance& issuance,
                                                                const std::string& audience,
                                                                MintedTokens& tokens) const {
  // RFC 9068 §2.1: RS256 is the algorithm every resource server must accept.
  auto key = context_.keys.Active(crypto::JwsAlg::kRS256);
  if (!key) return OAuthError::ServerError("no active RS256 signing key");
  auto now = context_.clock.Now();
  AccessTokenContent content{.issuer = context_.settings.issuer,
                             .audience = audience,
                             .client_id = issuance.client.id,
                             .subject = issuance.user ? issuance.user->id : issuance.client.id,
                             .jti = context_.random.Token(16),
                             .scope = issuance.scope,
                             .auth_time = issuance.auth_time,
                             .method = issuance.method,
                             .issued_at = now,
                             .expires_at = now + context_.settings.access_token_ttl};
  GH_ASSIGN_OR_RETURN(auto jwt, SignAccessToken(*key, content));
  if (issuance.user) {
    tokens.records.push_back(
        RecordOf(issuance, store::TokenKind::kAccess, issuance.scope, now, content.expires_at));
    tokens.records.back().token_hash = SecretHash(jwt);
  }
  return jwt;
}

Result<std::string, OAuthError> TokenIssuer::MintIdToken(const Issuance& issuance,
                                                         const std::string& access_token) const {
  // The client's registered id_token_signed_response_alg (OpenID Connect Registration §2).
  auto alg = crypto::ParseJwsAlg(issuance.client.id_token_signed_response_alg);
  if (!alg.ok()) return OAuthError::ServerError("client has an unsupported ID token algorithm");
  auto key = context_.keys.Active(*alg);
  if (!key) return OAuthError::ServerError("no active signing key");
  auto now = context_.clock.Now();
  IdTokenContent content{.issuer = context_.settings.issuer,
                         .client_id = issuance.client.id,
                         .user = *issuance.user,
                         .scope = issuance.scope,
                         .sid = issuance.sid,
                         .auth_time = issuance.auth_time,
                         .method = issuance.method,
                         .nonce = issuance.nonce,
                         .access_token = access_token,
                         .issued_at = now,
                         .expires_at = now + context_.settings.id_token_ttl};
  GH_ASSIGN_OR_RETURN(auto jwt, SignIdToken(*key, content));
  return jwt;
}

Result<MintedTokens, OAuthError> TokenIssuer::Mint(const Issuance& issuance) const {
  MintedTokens tokens;
  TokenResponse& response = tokens.response;
  response.scope = issuance.scope;
  response.expires_in = context_.settings.access_token_ttl;
  if (const auto& audience = issuance.client.access_token_audience) {
    GH_ASSIGN_OR_RETURN(response.access_token, MintJwtAccessToken(issuance, *audience, tokens));
  } else {
    auto now = context_.clock.Now();
    response.access_token = SealAccessToken(
        context_.settings.sealing_key, RecordOf(issuance, store::TokenKind::kAccess, issuance.scope,
                                                now, now + context_.settings.access_token_ttl));
  }
  if (issuance.refresh_scope) {
    response.refresh_token = MintRefreshToken(issuance, tokens);
  }
  if (issuance.user && HasScope(issuance.scope, kScopeOpenId)) {
    GH_ASSIGN_OR_RETURN(response.id_token, MintIdToken(issuance, response.access_token));
  }
  return tokens;
}

Result<void, OAuthError> TokenIssuer::Record(const MintedTokens& tokens,
                                             store::GrantStore& grants) {
  for (const auto& record : tokens.records) GH_RETURN_IF_ERROR(grants.PutToken(record));
  return {};
}

}  // namespace gh::oidc
