// SessionCheckEndpoint: the OP iframe of Session Management 1.0 §3.2 (check_session_iframe) and
// the server-side check it relies on. Browsers that block third-party cookies hide gh_opbs from
// the iframe, so the iframe never reads it: it sends client_id, the caller's origin and the
// session_state to the server, which finds the session from the salt (see session_state.h).
#pragma once

#include <string_view>

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

inline constexpr std::string_view kCheckSessionStatePath = "/session/check/state";

class SessionCheckEndpoint {
 public:
  explicit SessionCheckEndpoint(const ProviderContext& context) : context_(context) {}

  // GET check_session_iframe: a script-only page, framable by any site; it answers only the
  // origins the server confirms as registered for the client.
  http::Response Frame(const http::Request& request) const;
  // POST /session/check/state (form: client_id, origin, session_state): "changed", "unchanged"
  // or "error" as text/plain. Needs no cookies and does not extend the session.
  http::Response State(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
