// The pages a person sees while signing out: the confirmation that RP-Initiated Logout 1.0 §2
// requires for requests that cannot be tied to the browser's session, the signed-out page that
// runs Front-Channel Logout 1.0 and reports on every application, and the sign-out buttons of the
// home page. Rendering only; the endpoints that decide what to show live in oidc/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace gh::web {

// Where the sign-out forms post, and where the signed-out page polls for back-channel progress.
inline constexpr std::string_view kLogoutConfirmPath = "/logout/confirm";
inline constexpr std::string_view kLogoutStatusPath = "/logout/status";
inline constexpr std::string_view kLogoutIdField = "logoutId";
// "1" when the person also ends the offline_access grants they gave.
inline constexpr std::string_view kEndOfflineField = "offline";

// The question asked before a sign-out that a relying party could not prove the person wants.
struct LogoutConfirmation {
  std::string csrf_token;
  std::string logout_id;
  std::optional<std::string> client_name;  // the application that asked, when identified
  std::string notice;                      // e.g. why the browser will not be sent back
};
http::Response ConfirmationPage(const LogoutConfirmation& confirmation);

// What Gatehouse could arrange for one application of the ended session(s).
struct SignedOutApp {
  enum class BackChannel { kNone, kPending, kDelivered, kFailed };
  std::string client_id;
  std::string name;
  std::vector<std::string> frontchannel_urls;  // loaded in hidden iframes, one per session
  BackChannel backchannel = BackChannel::kNone;
};

struct SignedOut {
  std::vector<SignedOutApp> apps;
  std::vector<std::string> frame_origins;  // of frontchannel_urls, for the page's frame-src
  std::vector<std::string> logout_ids;     // polled at kLogoutStatusPath for back-channel news
  std::optional<std::string> continue_to;  // validated post_logout_redirect_uri, with state
  std::string notice;
  std::string frame_ancestors = "'none'";  // who may frame the page (an upstream's iframe)
};
// Lists the applications with their status, loads the front-channel iframes, and polls the
// back-channel status; after all iframes loaded (at most ~3 s) it continues to `continue_to` or
// stays. Only its own inline script (by hash) may run, and only `frame_origins` may be framed.
http::Response SignedOutPage(const SignedOut& signed_out);

// The home page's "Sign out" and "Sign out of all my sessions" buttons.
std::string SignOutForms(std::string_view csrf_token);

}  // namespace gh::web
