// The two cookies that say a browser is signed in to Gatehouse: the session key (HttpOnly) and
// the OP browser state of Session Management 1.0 §3 (readable by scripts on the IdP's origin,
// changed whenever the browser signs in or out). Both are SameSite=Lax so that top-level
// navigations from relying parties (authorize, logout) carry them.
#pragma once

#include <string_view>

#include "http/message.h"

namespace gh::web {

inline constexpr std::string_view kBrowserStateCookieName = "gh_opbs";

// Adds the Set-Cookie headers of a session that just started. `secure` under TLS.
void SetSessionCookies(http::Response& response, std::string_view session_key,
                       std::string_view browser_state, bool secure);
// Adds Set-Cookie headers that delete both cookies.
void ClearSessionCookies(http::Response& response, bool secure);

}  // namespace gh::web
