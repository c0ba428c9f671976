// The successful access token response (RFC 6749 §5.1, OpenID Connect Core §3.1.3.3).
#pragma once

#include <optional>
#include <string>

#include "core/clock.h"

namespace gh::oidc {

struct TokenResponse {
  std::string access_token;
  Seconds expires_in{0};
  std::string scope;  // sent whenever non-empty, so the client never has to guess (§5.1)
  std::optional<std::string> refresh_token;
  std::optional<std::string> id_token;
};

// {"access_token","token_type":"Bearer","expires_in","scope"?,"refresh_token"?,"id_token"?}
std::string ToJson(const TokenResponse& response);

}  // namespace gh::oidc
