// LoginPages: the IdP's own pages for people — the sign-in form and the home page. A successful
// sign-in starts an IdP session and continues the authorization request that sent the user here.
#pragma once

#include <semaphore>
#include <string>
#include <string_view>

#include "crypto/password.h"
#include "http/router.h"
#include "session/session_authority.h"
#include "store/store.h"
#include "web/csrf.h"

namespace gh::web {

// Where a sign-in may continue to: a path on this server only, so the form cannot be used as an
// open redirector ("//evil", "/\evil" and absolute URLs are refused).
bool IsLocalPath(std::string_view target);

class LoginPages {
 public:
  // `secure_cookies` forces the Secure attribute even when TLS ends at a proxy in front of us.
  // At most `max_password_checks` sign-ins are verified at once; more get 503 at once, so that
  // a burst of (possibly bogus) attempts cannot hold every worker thread and stall the IdP.
  LoginPages(store::UserStore& users, session::SessionAuthority& sessions,
             const crypto::PasswordHasher& hasher, const Csrf& csrf, bool secure_cookies,
             int max_password_checks);

  void Register(http::Router& router);

  http::Response ShowLogin(const http::Request& request) const;
  http::Response SubmitLogin(const http::Request& request) const;
  http::Response ShowHome(const http::Request& request) const;

 private:
  http::Response RenderLogin(const http::Request& request, std::string_view return_to,
                             std::string_view username, std::string_view error, int status) const;

  store::UserStore& users_;
  session::SessionAuthority& sessions_;
  const crypto::PasswordHasher& hasher_;
  const Csrf& csrf_;
  bool secure_cookies_;
  std::string decoy_hash_;  // verified against for unknown users, so timing does not reveal them
  mutable std::counting_semaphore<> password_checks_;
};

}  // namespace gh::web
