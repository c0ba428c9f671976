// The relying party's iframe of Session Management 1.0 §3.1: a page the app's own pages embed
// once —
//
//   <iframe src="/session/iframe" hidden></iframe>
//
// — which loads the OP's check_session_iframe, posts `client_id + " " + session_state` to it
// every interval, and on "changed" sends the app's page through a prompt=none sign-in, which
// either refreshes the session (same person still signed in at the OP) or ends it (§3.1: "no ID
// token or another user ⇒ treat as logout"). It navigates the top-level page rather than a
// hidden iframe because an OP in a third-party iframe often cannot see its own cookies and
// would answer login_required for everyone.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "http/message.h"

namespace gh::rp {

// What the page needs from the signed-in session and the OP's metadata.
struct SessionIframeSettings {
  std::string check_session_iframe;  // the OP iframe's URL, from discovery
  std::string op_origin;             // its RFC 6454 origin: postMessage's targetOrigin
  std::string client_id;
  std::string session_state;
  // The app's prompt=none sign-in URL, ending in "return_to=": the page appends its own
  // percent-encoded path so the person lands where they were.
  std::string recheck_url;
  std::chrono::milliseconds interval{5000};
};

// The page, no-store, with a Content-Security-Policy that runs only its own script (by hash),
// frames only the OP origin and may itself be framed only by the app. Without settings (nobody
// signed in, or an OP without session management) the page is empty and inert.
http::Response SessionIframePage(const std::optional<SessionIframeSettings>& settings);

}  // namespace gh::rp
