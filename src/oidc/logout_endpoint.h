// LogoutEndpoint: the browser-facing sign-out. RP-Initiated Logout 1.0 at /logout (GET and POST),
// the confirmation and the home page's buttons at /logout/confirm, and the back-channel progress
// the signed-out page polls at /logout/status. Ending the session only enqueues back-channel
// notifications, so no response waits for a relying party.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "http/message.h"
#include "oidc/provider_context.h"
#include "session/session_authority.h"
#include "web/csrf.h"

namespace gh::oidc {

class LogoutEndpoint {
 public:
  explicit LogoutEndpoint(const ProviderContext& context)
      : context_(context), csrf_(context.csrf) {}

  // GET/POST /logout: verifies the request, records a logout context, and signs out at once when
  // the id_token_hint belongs to this browser's session, or asks the person otherwise.
  http::Response EndSession(const http::Request& request) const;
  // POST /logout/confirm: the person's "Sign out" (with a logoutId from the confirmation page, or
  // from the home page for this session or, with scope=all, every session of the user).
  http::Response Confirm(const http::Request& request) const;
  // GET /logout/status?logoutId=…: {"clients":{client_id: "pending"|"delivered"|"failed"}} for
  // the back-channel notifications of the context's session, while the context lives.
  http::Response Status(const http::Request& request) const;

 private:
  bool SecureCookies(const http::Request& request) const;
  // Stores a new logout context (already used when `used`) and returns its id.
  Result<std::string> NewContext(std::string_view sid, const std::optional<std::string>& client_id,
                                 const std::optional<std::string>& redirect_uri,
                                 const std::optional<std::string>& state,
                                 const std::optional<std::string>& ui_locales, bool used) const;
  http::Response ConfirmContext(const http::Request& request, const Params& form,
                                const std::string& logout_id) const;
  http::Response SignOutUser(const http::Request& request, bool everywhere, bool end_offline) const;
  // The signed-out page for `endings`, polling `logout_ids`; clears this browser's cookies when
  // `clear_cookies`.
  http::Response SignedOut(const http::Request& request,
                           const std::vector<session::SessionEnding>& endings,
                           std::vector<std::string> logout_ids,
                           std::optional<std::string> continue_to, std::string notice,
                           bool clear_cookies) const;

  ProviderContext context_;
  const web::Csrf& csrf_;
};

}  // namespace gh::oidc
