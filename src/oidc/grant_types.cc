#include "oidc/grant_types.h"

#include <algorithm>

namespace gh::oidc {

bool IsRegisteredFor(const store::ClientRecord& client, std::string_view grant_type) {
  return std::ranges::find(client.grant_types, grant_type) != client.grant_types.end();
}

std::vector<std::string> DefaultGrantTypes(bool is_public) {
  std::vector<std::string> grants{std::string(kGrantAuthorizationCode),
                                  std::string(kGrantRefreshToken)};
  if (!is_public) grants.emplace_back(kGrantClientCredentials);
  return grants;
}

Result<void> CheckGrantTypes(const std::vector<std::string>& grant_types, bool is_public) {
  if (grant_types.empty()) return Error::InvalidArgument("a client needs at least one grant type");
  for (auto it = grant_types.begin(); it != grant_types.end(); ++it) {
    if (std::ranges::find(kGrantTypes, *it) == kGrantTypes.end())
      return Error::InvalidArgument("unknown grant type '" + *it +
                                    "' (authorization_code, refresh_token, client_credentials)");
    if (std::find(grant_types.begin(), it, *it) != it)
      return Error::InvalidArgument("grant type '" + *it + "' is named twice");
    if (*it == kGrantClientCredentials && is_public)
      return Error::InvalidArgument("a public client cannot use client_credentials");
  }
  return Ok();
}

}  // namespace gh::oidc
