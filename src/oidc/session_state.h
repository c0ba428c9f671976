// Session Management 1.0 §3: the session_state value an authorization response carries, and the
// check the OP iframe asks the server for (§3.2) — without the browser-state cookie, which a
// third-party iframe often cannot read.
//
//   session_state = hex(SHA-256(client_id " " origin " " browser_state " " salt)) "." salt
//   salt          = sid "." nonce
//
// The sid in the salt lets the server find the session (and its browser_state) from the value
// alone; the sid is already known to the client from the ID token's `sid` claim, and the random
// nonce makes every value different. browser_state is the session's secret: without it nobody
// can forge a value that checks as "unchanged".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

namespace gh::oidc {

// session_state for `client_id` at `origin` in `session`, salted with `nonce` (base64url).
std::string SessionState(std::string_view client_id, std::string_view origin,
                         const store::SessionRecord& session, std::string_view nonce);

// The sid a session_state names, when it has the shape SessionState() produces.
std::optional<std::string> SessionStateSid(std::string_view session_state);

// What the OP iframe answers the RP (§3.2).
enum class SessionCheck { kUnchanged, kChanged, kError };
const char* ToString(SessionCheck check);

// Checks `session_state` sent by `client` from `origin` against `live_session`, the session its
// salt names while that session is live (nullopt when it is unknown, ended or expired): kError
// when the value is malformed or `origin` is not the origin of one of the client's redirect URIs
// (§3.2: the OP iframe MUST verify the caller's origin); kChanged without a live session or when
// the hash differs.
SessionCheck CheckSessionState(const store::ClientRecord& client, std::string_view origin,
                               std::string_view session_state,
                               const std::optional<store::SessionRecord>& live_session);

}  // namespace gh::oidc
