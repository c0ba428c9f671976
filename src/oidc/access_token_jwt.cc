#include "oidc/access_token_jwt.h"

#include <nlohmann/json.hpp>

#include "crypto/jws.h"
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
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto time = [&](const char* name) -> std::optional<TimePoint> {
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
    return FromUnixSeconds(it->get<std::int64_t>());
  };
  auto iss = text("iss");
  auto client_id = text("client_id");
  auto sub = text("sub");
  auto jti = text("jti");
  auto iat = time("iat");
  auto exp = time("exp");
  if (!iss || *iss != issuer || !client_id || !sub || *sub != *client_id || !jti || !iat || !exp ||
      now >= *exp || claims.contains("auth_time"))
    return std::nullopt;
  store::TokenRecord record;
  record.token_hash = SecretHash(token);
  record.kind = store::TokenKind::kAccess;
  record.grant_id = *jti;
  record.client_id = *client_id;
  record.scope = text("scope").value_or("");
  record.issued_at = *iat;
  record.expires_at = *exp;
  return record;
}

}  // namespace gh::oidc
