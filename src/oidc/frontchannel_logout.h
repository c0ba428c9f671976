// Front-Channel Logout 1.0 §2–§3: the URL the OP loads in an iframe to sign the browser out of
// one relying party.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

namespace gh::oidc {

// The client's frontchannel_logout_uri with `iss` and `sid` added to any query it already has
// when it registered frontchannel_logout_session_required (§2: if either is sent, both are), as
// registered otherwise. nullopt when the client has no front-channel URI.
std::optional<std::string> FrontChannelLogoutUrl(const store::ClientRecord& client,
                                                 std::string_view issuer, std::string_view sid);

}  // namespace gh::oidc
