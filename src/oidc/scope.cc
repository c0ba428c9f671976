#include "oidc/scope.h"

#include <algorithm>

#include "core/words.h"

namespace gh::oidc {

const std::vector<std::string>& SupportedScopes() {
  static const std::vector<std::string> scopes = {
      std::string(kScopeOpenId), std::string(kScopeProfile), std::string(kScopeEmail),
      std::string(kScopeOfflineAccess)};
  return scopes;
}

std::vector<std::string> SplitScope(std::string_view scope) {
  std::vector<std::string> tokens;
  std::size_t pos = 0;
  while (pos < scope.size()) {
    std::size_t end = scope.find(' ', pos);
    if (end == std::string_view::npos) end = scope.size();
    std::string token(scope.substr(pos, end - pos));
    if (!token.empty() && std::find(tokens.begin(), tokens.end(), token) == tokens.end())
      tokens.push_back(std::move(token));
    pos = end + 1;
  }
  return tokens;
}

std::string JoinScope(const std::vector<std::string>& tokens) { return JoinWords(tokens); }

bool HasScope(std::string_view scope, std::string_view token) {
  auto tokens = SplitScope(scope);
  return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
}

}  // namespace gh::oidc
