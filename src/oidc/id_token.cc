#include "oidc/id_token.h"

#include <nlohmann/json.hpp>

#include "core/base64url.h"
#include "crypto/digest.h"
#include "crypto/jws.h"
#include "oidc/user_claims.h"

namespace gh::oidc {

std::string AtHash(std::string_view access_token) {
  std::string digest = crypto::Sha256(access_token);
  return Base64UrlEncode(std::string_view(digest).substr(0, digest.size() / 2));
}

nlohmann::json IdTokenClaims(const IdTokenContent& content) {
  nlohmann::json claims = UserClaims(content.user, content.scope);
  claims["iss"] = content.issuer;
  claims["aud"] = content.client_id;
  claims["iat"] = ToUnixSeconds(content.issued_at);
  claims["exp"] = ToUnixSeconds(content.expires_at);
  if (content.auth_time) claims["auth_time"] = ToUnixSeconds(*content.auth_time);
  if (content.method) {
    // Which provider authenticated the person (as IdentityServer names it: "local" or the
    // upstream), and how (OpenID Connect Core §2; RFC 8176 for amr values).
    claims["idp"] = content.method->idp;
    if (!content.method->amr.empty()) claims["amr"] = content.method->amr;
    if (!content.method->acr.empty()) claims["acr"] = content.method->acr;
  }
  if (content.nonce) claims["nonce"] = *content.nonce;
  if (content.sid) claims["sid"] = *content.sid;
  if (content.access_token) claims["at_hash"] = AtHash(*content.access_token);
  return claims;
}

Result<std::string> SignIdToken(const crypto::SigningKey& key, const IdTokenContent& content) {
  return crypto::SignJwt(key, IdTokenClaims(content), "JWT");
}

}  // namespace gh::oidc
