// The sample app's server-rendered pages: one layout (navigation bar with the person's name and
// Sign in / Sign out, the session-management iframe while signed in) and the few pages in it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "rp/app_sessions.h"

namespace gh::apps {

// What the pages show about the app itself.
struct AppIdentity {
  std::string name;     // "Mail"
  std::string section;  // the protected page's title, "Inbox"; served at SectionPath()
  std::string accent;   // CSS colour of the navigation bar, "#2f5bd3"

  std::string SectionPath() const;  // "/inbox"
};

class Pages {
 public:
  // `session_iframe_path` is RpPaths::session_iframe; `logout_path` takes the Sign out POST.
  Pages(AppIdentity app, std::string session_iframe_path, std::string logout_path);

  const AppIdentity& app() const { return app_; }

  http::Response Home(const std::optional<rp::AppSession>& session) const;
  // REQUIRES: a signed-in session (the caller redirects everyone else to sign in).
  http::Response Section(const rp::AppSession& session) const;
  http::Response SignedOut() const;

 private:
  // The complete page: `body_html` must already be escaped.
  http::Response Render(const std::optional<rp::AppSession>& session, std::string_view title,
                        std::string_view body_html) const;

  const AppIdentity app_;
  const std::string session_iframe_path_;
  const std::string logout_path_;
  const std::string style_;
  const std::string csp_;
};

}  // namespace gh::apps
