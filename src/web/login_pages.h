// LoginPages: the IdP's own pages for people — the sign-in form and the home page. A successful
// sign-in starts an IdP session and continues the authorization request that sent the user here.
#pragma once

#include <cstdint>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <vector>

#include "core/params.h"
#include "crypto/password.h"
#include "http/router.h"
#include "session/event_log.h"
#include "session/session_authority.h"
#include "store/store.h"
#include "web/csrf.h"
#include "web/login_throttle.h"

namespace gh::web {

// Where a sign-in may continue to: a path on this server only, so the form cannot be used as an
// open redirector ("//evil", "/\evil" and absolute URLs are refused).
bool IsLocalPath(std::string_view target);

// An upstream identity provider the sign-in page offers ("Sign in with …", federation/).
struct UpstreamOption {
  std::string id;      // what an idp_hint names: this, or the issuer
  std::string issuer;  // e.g. a SAML SP's Scoping names providers this way
  std::string display_name;
  std::string start_path;  // GET with ?return_to=…
};

// What an application asked of a sign-in (OpenID Connect Core §3.1.2.1 prompt=login and
// max_age; SAML's ForceAuthn), carried from the request through the sign-in page to an upstream
// identity provider, which performs the sign-in when the person chooses one.
struct AuthenticationDemand {
  bool fresh = false;
  std::optional<std::int64_t> max_age_seconds;
  Params ToParams() const;
};
// From `prompt` and `max_age` parameters; anything else in them is ignored.
AuthenticationDemand ReadAuthenticationDemand(const Params& params);

struct LoginSettings {
  // Forces the Secure attribute even when TLS ends at a proxy in front of us.
  bool secure_cookies = false;
  // At most this many sign-ins are verified at once; more get 503 at once, so that a burst of
  // attempts from many places cannot hold every worker thread and stall the IdP. Guessing from
  // one source or at one account is slowed down long before (LoginThrottle).
  int max_password_checks = 2;
  std::vector<UpstreamOption> upstreams;
};

class LoginPages {
 public:
  LoginPages(store::Store& store, session::SessionAuthority& sessions,
             const crypto::PasswordHasher& hasher, const Csrf& csrf, LoginThrottle& throttle,
             session::EventLog& events, LoginSettings settings);

  void Register(http::Router& router);

  http::Response ShowLogin(const http::Request& request) const;
  http::Response SubmitLogin(const http::Request& request) const;
  http::Response ShowHome(const http::Request& request) const;

 private:
  http::Response RenderLogin(const http::Request& request, std::string_view return_to,
                             std::string_view username, std::string_view error, int status) const;

  // Answers a throttled attempt: 429 with Retry-After, the form kept.
  http::Response RefuseThrottled(const http::Request& request, std::string_view return_to,
                                 std::string_view username, Seconds wait) const;
  // Counts a wrong password, and records an event when it makes someone wait.
  void NoteFailure(const http::Request& request, std::string_view username) const;

  store::Store& store_;
  session::SessionAuthority& sessions_;
  const crypto::PasswordHasher& hasher_;
  const Csrf& csrf_;
  LoginThrottle& throttle_;
  session::EventLog& events_;
  bool secure_cookies_;
  std::vector<UpstreamOption> upstreams_;
  std::string decoy_hash_;  // verified against for unknown users, so timing does not reveal them
  mutable std::counting_semaphore<> password_checks_;
};

}  // namespace gh::web
