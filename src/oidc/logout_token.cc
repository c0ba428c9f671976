#include "oidc/logout_token.h"

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace gh::oidc {

nlohmann::json LogoutTokenClaims(const LogoutTokenContent& content) {
  const auto iat = ToUnixSeconds(content.issued_at);
  return {
      {"iss", content.issuer},
      {"aud", content.client_id},
      {"iat", iat},
      // Required since errata set 1 (2023); RPs such as MAS reject tokens without it.
      {"exp", iat + kLogoutTokenLifetime.count()},
      {"jti", content.jti},
      // §2.4: the member's value MUST be a JSON object and SHOULD be empty.
      {"events", {{kBackchannelLogoutEvent, nlohmann::json::object()}}},
      {"sub", content.sub},
      // Always sent, so RPs that set backchannel_logout_session_required (§2.2) and RPs that
      // did not both end just this session rather than every session of the user.
      {"sid", content.sid},
  };
}

Result<std::string> SignLogoutToken(const crypto::SigningKey& key,
                                    const LogoutTokenContent& content) {
  return crypto::SignJwt(key, LogoutTokenClaims(content), kLogoutTokenType);
}

}  // namespace gh::oidc
