// Scope values (RFC 6749 §3.3): a space-delimited set of case-sensitive tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gh::oidc {

inline constexpr std::string_view kScopeOpenId = "openid";
inline constexpr std::string_view kScopeProfile = "profile";
inline constexpr std::string_view kScopeEmail = "email";
inline constexpr std::string_view kScopeOfflineAccess = "offline_access";

// The scopes this provider understands, in the order discovery lists them.
const std::vector<std::string>& SupportedScopes();

// The distinct tokens of `scope` in order of first appearance; runs of spaces are tolerated.
std::vector<std::string> SplitScope(std::string_view scope);
std::string JoinScope(const std::vector<std::string>& tokens);
bool HasScope(std::string_view scope, std::string_view token);

}  // namespace gh::oidc
