#include "oidc/user_claims.h"

#include <nlohmann/json.hpp>

#include "oidc/scope.h"

namespace gh::oidc {

nlohmann::json UserClaims(const store::UserRecord& user, std::string_view scope) {
  nlohmann::json claims = {{"sub", user.id}};
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) claims[name] = value;
  };
  if (HasScope(scope, kScopeProfile)) {
    put("name", user.name);
    put("preferred_username", user.username);
  }
  if (HasScope(scope, kScopeEmail)) put("email", user.email);
  return claims;
}

const std::vector<std::string>& SupportedClaims() {
  static const std::vector<std::string> claims = {"iss",
                                                  "sub",
                                                  "aud",
                                                  "exp",
                                                  "iat",
                                                  "auth_time",
                                                  "nonce",
                                                  "sid",
                                                  "at_hash",
                                                  "name",
                                                  "preferred_username",
                                                  "email"};
  return claims;
}

}  // namespace gh::oidc
