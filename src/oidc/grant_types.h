// The OAuth grant types this provider offers (RFC 6749 §4.1, §4.4, §6), by the names a client is
// registered for them under (RFC 7591 §2 `grant_types`), and the rules that registration follows.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace gh::oidc {

inline constexpr std::string_view kGrantAuthorizationCode = "authorization_code";
inline constexpr std::string_view kGrantRefreshToken = "refresh_token";
inline constexpr std::string_view kGrantClientCredentials = "client_credentials";
inline constexpr std::array<std::string_view, 3> kGrantTypes = {
    kGrantAuthorizationCode, kGrantRefreshToken, kGrantClientCredentials};

bool IsRegisteredFor(const store::ClientRecord& client, std::string_view grant_type);

// What a client registered without naming its grants may use: every grant its kind allows
// (client_credentials needs a secret, RFC 6749 §4.4).
std::vector<std::string> DefaultGrantTypes(bool is_public);

// A registration's grant types: at least one, each one this provider offers and named once, and
// client_credentials only for a confidential client. InvalidArgument saying which rule failed.
Result<void> CheckGrantTypes(const std::vector<std::string>& grant_types, bool is_public);

}  // namespace gh::oidc
