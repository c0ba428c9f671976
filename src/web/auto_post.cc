#include "web/auto_post.h"

#include "core/html_escape.h"
#include "crypto/digest.h"

namespace gh::web {
namespace {

constexpr std::string_view kSubmitScript = "document.forms[0].submit();";

// The page runs exactly one inline script, allowed by its hash, and loads nothing else
// (form-action is left open because browsers apply it to the redirects after the POST too).
std::string AutoPostPolicy(Framing framing) {
  return "default-src 'none'; script-src " + crypto::CspHashSource(kSubmitScript) +
         "; base-uri 'none'; frame-ancestors " +
         (framing == Framing::kSameOrigin ? "'self'" : "'none'");
}

}  // namespace

http::Response AutoPostForm(const std::string& action, const Params& fields, Framing framing) {
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Continue · Gatehouse</title></head><body><form method=\"post\" action=\"" +
      EscapeHtml(action) + "\">";
  for (const auto& [name, value] : fields.items())
    html += "<input type=\"hidden\" name=\"" + EscapeHtml(name) + "\" value=\"" +
            EscapeHtml(value) + "\">";
  html +=
      "<noscript><p>JavaScript is off. Press Continue to return to the application.</p>"
      "</noscript><button type=\"submit\">Continue</button></form><script>";
  html += kSubmitScript;
  html += "</script></body></html>";
  auto response = http::Response::Html(200, std::move(html));
  response.headers.Set("Content-Security-Policy", AutoPostPolicy(framing));
  response.NoStore();
  return response;
}

}  // namespace gh::web
