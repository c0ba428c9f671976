#include "web/session_cookies.h"

#include "session/session_authority.h"

namespace gh::web {
namespace {

void Add(http::Response& response, std::string_view name, std::string_view value, bool http_only,
         bool secure, std::optional<long> max_age) {
  http::CookieOptions options;
  options.http_only = http_only;
  options.secure = secure;
  options.max_age_seconds = max_age;
  response.headers.Add("Set-Cookie", http::SetCookieHeader(name, value, options));
}

}  // namespace

void SetSessionCookies(http::Response& response, std::string_view session_key,
                       std::string_view browser_state, bool secure) {
  Add(response, session::kSessionCookieName, session_key, true, secure, std::nullopt);
  Add(response, kBrowserStateCookieName, browser_state, false, secure, std::nullopt);
}

void ClearSessionCookies(http::Response& response, bool secure) {
  Add(response, session::kSessionCookieName, "", true, secure, 0);
  Add(response, kBrowserStateCookieName, "", false, secure, 0);
}

}  // namespace gh::web
