#include "oidc/access_token_jwt.h"

#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "oidc/json_members.h"
#include "oidc/token_state.h"

namespace gh::oidc {

nlohmann::json AccessTokenClaims(const AccessTokenContent& content) {
  nlohmann::json claims = {{"iss", content.issuer},
                           {"exp", ToUnixSeconds(content.expires_at)},
                           {"aud", content.audience},
                           {"sub", content.subject},
                           {"client_id", content.client_id},
                           {"iat", ToUnixSeconds(content.issued_at)},
                           {"jti", content.jti}};
  if (!content.scope.empty()) claims["scope"] = content.scope;
  if (content.auth_time) claims["auth_time"] = ToUnixSeconds(*content.auth_time);
  if (content.method) {
    if (!content.method->acr.empty()) claims["acr"] = content.method->acr;
    if (!content.method->amr.empty()) claims["amr"] = content.method->amr;
  }
  return claims;
}

Result<std::string> SignAccessToken(const crypto::SigningKey& key,
                                    const AccessTokenContent& content) {
  return crypto::SignJwt(key, AccessTokenClaims(content), kAccessTokenJwtType);
}

std::optional<store::TokenRecord> ReadUnrecordedAccessToken(
    std::string_view token, std::string_view issuer,
    const std::vector<crypto::VerificationKey>& keys, TimePoint now) {
  auto jws = crypto::DecodeJws(token);
  if (!jws.ok() || jws->header.value("typ", "") != kAccessTokenJwtType) return std::nullopt;
  if (!crypto::VerifyJws(*jws, keys).ok()) return std::nullopt;
  const auto& claims = jws->payload;
  auto iss = StringMember(claims, "iss");
  auto client_id = StringMember(claims, "client_id");
  auto sub = StringMember(claims, "sub");
  auto jti = StringMember(claims, "jti");
  auto iat = TimeMember(claims, "iat");
  auto exp = TimeMember(claims, "exp");
  if (!iss || *iss != issuer || !client_id || !sub || *sub != *client_id || !jti || !iat || !exp ||
      now >= *exp || claims.contains("auth_time"))
    return std::nullopt;
  store::TokenRecord record;
  record.token_hash = SecretHash(token);
  record.kind = store::TokenKind::kAccess;
  record.grant_id = *jti;
  record.client_id = *client_id;
  record.scope = StringMember(claims, "scope").value_or("");
  record.issued_at = *iat;
  record.expires_at = *exp;
  return record;
}

}  // namespace gh::oidc
