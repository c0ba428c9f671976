// Csrf: double-submit tokens for every form the IdP renders. The token lives in an HttpOnly,
// SameSite=Strict cookie and in a hidden field; a POST is accepted only when the two match, which
// a cross-site page can neither read nor forge.
#pragma once

#include <string>

#include "core/random.h"
#include "http/message.h"

namespace gh::web {

inline constexpr std::string_view kCsrfCookieName = "gh_csrf";
inline constexpr std::string_view kCsrfFieldName = "csrf_token";

class Csrf {
 public:
  explicit Csrf(Random& random) : random_(random) {}

  // The token to embed in a form: the one the browser already holds, or a new one, in which case
  // a Set-Cookie is added to `response`.
  std::string Issue(const http::Request& request, http::Response& response) const;
  // true when the form field equals the cookie (constant-time).
  bool Verify(const http::Request& request, const Params& form) const;

 private:
  Random& random_;
};

}  // namespace gh::web
