// Claims about the end-user, released by scope (OpenID Connect Core §5.4). One place decides
// what the ID token and the UserInfo response may say about a person.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/records.h"

namespace gh::oidc {

// sub always; name and preferred_username with "profile"; email with "email". Empty values are
// left out rather than sent as "" (OpenID Connect Core §5.3.2).
nlohmann::json UserClaims(const store::UserRecord& user, std::string_view scope);

// Every claim this provider can put in an ID token or UserInfo response, for discovery.
const std::vector<std::string>& SupportedClaims();

}  // namespace gh::oidc
