#include "web/csrf.h"

#include "crypto/digest.h"

namespace gh::web {

std::string Csrf::Issue(const http::Request& request, http::Response& response) const {
  if (auto existing = request.Cookie(kCsrfCookieName); existing && existing->size() >= 32)
    return *existing;
  std::string token = random_.Token(32);
  http::CookieOptions options;
  options.same_site = "Strict";
  options.secure = request.secure;
  response.headers.Add("Set-Cookie", http::SetCookieHeader(kCsrfCookieName, token, options));
  return token;
}

bool Csrf::Verify(const http::Request& request, const Params& form) const {
  auto cookie = request.Cookie(kCsrfCookieName);
  auto field = form.Get(kCsrfFieldName);
  return cookie && field && !cookie->empty() && crypto::ConstantTimeEqual(*cookie, *field);
}

}  // namespace gh::web
