#include "apps/pages.h"

#include <cctype>

#include "core/base64url.h"
#include "core/html_escape.h"
#include "crypto/digest.h"

namespace gh::apps {
namespace {

// The stylesheet, with the app's accent colour substituted for ACCENT.
constexpr std::string_view kStyle = R"css(
:root { --ink:#1d2330; --muted:#5b6475; --line:#dfe3ea; --accent:ACCENT; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink);
       background:#f4f6fa; }
nav { display:flex; align-items:center; gap:1.25rem; padding:.75rem 1.5rem;
      background:var(--accent); color:#fff; }
nav a { color:#fff; text-decoration:none; opacity:.9; }
nav a:hover { opacity:1; text-decoration:underline; }
nav .brand { font-weight:700; font-size:1.15rem; letter-spacing:.02em; opacity:1; }
nav .spacer { flex:1; }
nav form { margin:0; }
nav button, a.button { font:inherit; padding:.35rem .9rem; border-radius:6px; border:1px solid #fff;
      background:transparent; color:#fff; cursor:pointer; }
a.button { text-decoration:none; }
a.button.primary { display:inline-block; background:var(--accent); border-color:var(--accent);
      margin-top:.5rem; }
main { max-width:44rem; margin:2.5rem auto; background:#fff; border:1px solid var(--line);
       border-radius:12px; padding:2rem 2.25rem; box-shadow:0 8px 24px rgba(20,30,60,.06); }
h1 { font-size:1.4rem; margin:0 0 1rem; }
.muted { color:var(--muted); font-size:.9rem; }
table { border-collapse:collapse; width:100%; margin-top:1rem; }
th, td { text-align:left; padding:.45rem .5rem; border-bottom:1px solid var(--line);
         vertical-align:top; }
th { color:var(--muted); font-weight:500; width:10rem; }
td { word-break:break-all; }
)css";

std::string StyleFor(std::string_view accent) {
  std::string style(kStyle);
  style.replace(style.find("ACCENT"), 6, accent);
  return style;
}

// The person as the navigation bar greets them: the best name the ID token offers.
std::string DisplayName(const rp::AppSession& session) {
  for (const char* claim : {"name", "preferred_username", "email"})
    if (auto value = rp::StringClaim(session, claim); value && !value->empty()) return *value;
  return session.sub;
}

std::string Row(std::string_view label, std::string_view value) {
  return "<tr><th>" + EscapeHtml(label) + "</th><td>" + EscapeHtml(value) + "</td></tr>";
}

}  // namespace

std::string AppIdentity::SectionPath() const {
  std::string path = "/";
  for (unsigned char c : section)
    if (std::isalnum(c)) path.push_back(static_cast<char>(std::tolower(c)));
  return path;
}

Pages::Pages(AppIdentity app, std::string session_iframe_path, std::string logout_path)
    : app_(std::move(app)),
      session_iframe_path_(std::move(session_iframe_path)),
      logout_path_(std::move(logout_path)),
      style_(StyleFor(app_.accent)),
      // No script of our own; the inline stylesheet by hash; only our own session iframe.
      csp_("default-src 'none'; style-src 'sha256-" + Base64Encode(crypto::Sha256(style_)) +
           "'; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'") {}

http::Response Pages::Home(const std::optional<rp::AppSession>& session) const {
  const std::string section = EscapeHtml(app_.section);
  const std::string section_path = EscapeHtml(app_.SectionPath());
  std::string body = "<h1>Welcome to " + EscapeHtml(app_.name) + "</h1>";
  if (session) {
    body += "<p>You are signed in as <strong>" + EscapeHtml(DisplayName(*session)) +
            "</strong>.</p><a class=\"button primary\" href=\"" + section_path + "\">Open your " +
            section + "</a>";
  } else {
    body += "<p>You are not signed in. Sign in with Gatehouse to open your " + section +
            ".</p><a class=\"button primary\" href=\"/login?return_to=" + section_path +
            "\">Sign in</a>";
  }
  return Render(session, app_.name, body);
}

http::Response Pages::Section(const rp::AppSession& session) const {
  std::string body = "<h1>" + EscapeHtml(app_.section) + "</h1><p>Hello " +
                     EscapeHtml(DisplayName(session)) +
                     ", this page is only for signed-in people.</p>";
  body += "<table>";
  body += Row("Subject (sub)", session.sub);
  if (auto email = rp::StringClaim(session, "email")) body += Row("Email", *email);
  body += Row("IdP session (sid)", session.sid.value_or("(none)"));
  body += Row("Session management", session.session_state ? "on" : "off");
  body += "</table>";
  return Render(session, app_.section, body);
}

http::Response Pages::SignedOut() const {
  return Render(std::nullopt, "Signed out",
                "<h1>You are signed out</h1><p>You have been signed out of " +
                    EscapeHtml(app_.name) +
                    " and of Gatehouse.</p><a class=\"button primary\" href=\"/\">Back to " +
                    EscapeHtml(app_.name) + "</a>");
}

http::Response Pages::Render(const std::optional<rp::AppSession>& session, std::string_view title,
                             std::string_view body_html) const {
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      EscapeHtml(title) + " · " + EscapeHtml(app_.name) + "</title><style>" + style_ +
      "</style></head><body><nav><a class=\"brand\" href=\"/\">" + EscapeHtml(app_.name) +
      "</a><a href=\"" + EscapeHtml(app_.SectionPath()) + "\">" + EscapeHtml(app_.section) +
      "</a><span class=\"spacer\"></span>";
  if (session) {
    html += "<span class=\"user\">Hello " + EscapeHtml(DisplayName(*session)) +
            "</span><form method=\"post\" action=\"" + EscapeHtml(logout_path_) +
            "\"><button type=\"submit\">Sign out</button></form>";
  } else {
    html += "<a class=\"button\" href=\"/login?return_to=" + EscapeHtml(app_.SectionPath()) +
            "\">Sign in</a>";
  }
  html += "</nav><main>";
  html += body_html;
  html += "</main>";
  // Session Management 1.0: while signed in, every page watches the IdP session.
  if (session)
    html += "<iframe src=\"" + EscapeHtml(session_iframe_path_) +
            "\" hidden title=\"session check\"></iframe>";
  html += "</body></html>";
  http::Response response = http::Response::Html(200, std::move(html));
  response.headers.Set("Content-Security-Policy", csp_);
  response.NoStore();
  return response;
}

}  // namespace gh::apps
