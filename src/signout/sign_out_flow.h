// SignOutFlow: how every browser sign-out ends, whatever protocol started it. It keeps the logout
// contexts (single-use ids the browser carries between steps), asks the person when a sign-out
// could not be tied to them (/logout/confirm, also the home page's buttons), shows the signed-out
// page — every application of the ended sessions with its real outcome, the front-channel steps
// run in the browser — and serves the status that page polls (/logout/status). oidc/ (RP-Initiated
// Logout) and saml/ (Single Logout) both hand their ended sessions to it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "http/message.h"
#include "http/router.h"
#include "session/session_authority.h"
#include "store/store.h"
#include "web/csrf.h"
#include "web/logout_pages.h"

namespace gh::signout {

// Signs the person out of the upstream identity provider their session came from (federation/),
// once Gatehouse's own sign-out is done.
class UpstreamSignOut {
 public:
  virtual ~UpstreamSignOut() = default;
  // Where the browser goes next, instead of `continue_to`, to sign `session` out upstream and
  // come back to `continue_to` (or to a page saying what happened); nullopt when the session did
  // not come from an upstream that is signed out of.
  virtual std::optional<std::string> Detour(const store::SessionRecord& session,
                                            const std::optional<std::string>& continue_to) = 0;
};

class SignOutFlow {
 public:
  SignOutFlow(std::string issuer, store::Store& store, session::SessionAuthority& sessions,
              Clock& clock, Random& random, const web::Csrf& csrf)
      : issuer_(std::move(issuer)),
        store_(store),
        sessions_(sessions),
        clock_(clock),
        random_(random),
        csrf_(csrf) {}

  // Adds POST /logout/confirm and GET /logout/status.
  void Register(http::Router& router) const;

  // Lets browser sign-outs go on to the upstream a session came from. Call at start-up.
  void SetUpstreamSignOut(UpstreamSignOut* upstream) { upstream_ = upstream; }

  // Stores `context` (its id_hash and times are set here; already used when `used`) and returns
  // the id the browser carries.
  Result<std::string> NewContext(store::LogoutContextRecord context, bool used) const;

  // Uses the context the browser's `logout_id` names, once: a replayed or double-submitted step
  // finds it used. `context` is set unless it is unknown or expired.
  struct ContextUse {
    enum class Outcome { kUnknownOrExpired, kAlreadyUsed, kFirstUse } outcome;
    std::optional<store::LogoutContextRecord> context;
  };
  Result<ContextUse> UseContext(std::string_view logout_id) const;

  // The signed-out page for `endings`, polling `logout_ids`. With `continue_to` the browser goes
  // on there once the front-channel steps are done (straight away when there are none). Clears
  // this browser's session cookies when `clear_cookies`: it is this browser's sign-out, so when
  // its own session (by its cookie) came from an upstream, the browser goes there before
  // `continue_to`.
  http::Response SignedOut(const http::Request& request,
                           const std::vector<session::SessionEnding>& endings,
                           std::vector<std::string> logout_ids,
                           std::optional<std::string> continue_to, std::string notice,
                           bool clear_cookies) const;
  // The same page inside an upstream's front-channel logout iframe (only `framed_by` may frame
  // it): it runs our apps' front-channel steps and goes nowhere after.
  http::Response SignedOutInFrame(const std::vector<session::SessionEnding>& endings,
                                  std::string framed_by) const;

  // The question asked before a sign-out that the requester could not prove the person wants,
  // with a CSRF token; the answer comes to Confirm with `logout_id`.
  http::Response AskToConfirm(const http::Request& request, const std::string& logout_id,
                              std::optional<std::string> requester_name, std::string notice) const;
  // POST /logout/confirm: the person's "Sign out" (with a logoutId from the confirmation page, or
  // from the home page for this session or, with scope=all, every session of the user).
  http::Response Confirm(const http::Request& request) const;
  // GET /logout/status?logoutId=…: {"clients":{id: "pending"|"delivered"|"failed"}} for the
  // back-channel notifications of the context's session, while the context lives.
  http::Response Status(const http::Request& request) const;

  bool SecureCookies(const http::Request& request) const;

 private:
  http::Response ConfirmContext(const http::Request& request, const Params& form,
                                const std::string& logout_id) const;
  http::Response SignOutUser(const http::Request& request, bool everywhere, bool end_offline) const;
  // The page's view of `endings`: one row per application, its front-channel iframes.
  static web::SignedOut View(const std::vector<session::SessionEnding>& endings);

  std::string issuer_;
  store::Store& store_;
  session::SessionAuthority& sessions_;
  Clock& clock_;
  Random& random_;
  const web::Csrf& csrf_;
  UpstreamSignOut* upstream_ = nullptr;
};

// Where a browser goes after a sign-out that named a post_logout_redirect_uri: that URI, with the
// relying party's state passed back (RP-Initiated Logout 1.0 §3).
std::string ContinueUrl(const std::string& redirect_uri, const std::optional<std::string>& state);

// An error page for a sign-out the store could not carry out.
http::Response Unavailable();

}  // namespace gh::signout
