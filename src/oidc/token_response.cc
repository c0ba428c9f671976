#include "oidc/token_response.h"

#include <nlohmann/json.hpp>

namespace gh::oidc {

std::string ToJson(const TokenResponse& response) {
  nlohmann::json body = {{"access_token", response.access_token},
                         {"token_type", "Bearer"},
                         {"expires_in", response.expires_in.count()}};
  if (!response.scope.empty()) body["scope"] = response.scope;
  if (response.refresh_token) body["refresh_token"] = *response.refresh_token;
  if (response.id_token) body["id_token"] = *response.id_token;
  return body.dump();
}

}  // namespace gh::oidc
