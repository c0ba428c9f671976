// Csrf: signed double-submit tokens for every form the IdP renders (OWASP CSRF Cheat Sheet,
// "signed double-submit cookie"). The browser keeps a random nonce in an HttpOnly,
// SameSite=Strict cookie; the form carries HMAC(server secret, nonce, session). A POST is
// accepted only when the field is that MAC for the cookie it came with — so a pair an attacker
// planted (a cookie set from a sibling subdomain, say) is worthless without the server's secret,
// and a token stops working when the browser's session changes.
//
// When the issuer is https the cookie is `__Host-gh_csrf` and Secure, even when TLS ends at a
// proxy in front of us: the prefix stops any other host from setting or shadowing it.
#pragma once

#include <string>
#include <string_view>

#include "core/params.h"
#include "core/random.h"
#include "http/message.h"

namespace gh::web {

inline constexpr std::string_view kCsrfFieldName = "csrf_token";

class Csrf {
 public:
  // `secret`: at least 32 random bytes, the same on every node. `secure`: the issuer is https.
  Csrf(Random& random, std::string secret, bool secure);

  // The cookie that holds the nonce: "__Host-gh_csrf" when secure, else "gh_csrf".
  std::string_view cookie_name() const;

  // The token to embed in a form, for the nonce the browser already holds or a new one, in
  // which case a Set-Cookie is added to `response`.
  std::string Issue(const http::Request& request, http::Response& response) const;
  // true when the form field is the MAC of the request's nonce cookie and session (constant-time).
  bool Verify(const http::Request& request, const Params& form) const;

 private:
  std::string FieldFor(std::string_view nonce, const http::Request& request) const;

  Random& random_;
  std::string secret_;
  bool secure_;
};

}  // namespace gh::web
