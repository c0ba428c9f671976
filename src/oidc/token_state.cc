#include "oidc/token_state.h"

#include "crypto/digest.h"

namespace gh::oidc {

std::string SecretHash(std::string_view secret) { return crypto::Sha256Base64Url(secret); }

bool IsActive(const store::TokenRecord& token, TimePoint now) {
  return !token.revoked && now < token.expires_at;
}

}  // namespace gh::oidc
