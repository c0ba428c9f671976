#include "oidc/authorization_response.h"

#include <string>

#include "core/html_escape.h"
#include "crypto/digest.h"
#include "web/html.h"

namespace gh::oidc {
namespace {

constexpr std::string_view kSubmitScript = "document.forms[0].submit();";

// The page runs exactly one inline script, allowed by its hash, and loads nothing else
// (form-action is left open because browsers apply it to the redirects after the POST too).
std::string FormPostPolicy() {
  return "default-src 'none'; script-src " + crypto::CspHashSource(kSubmitScript) +
         "; base-uri 'none'; frame-ancestors 'none'";
}

http::Response FormPost(const std::string& redirect_uri, const Params& params) {
  std::string html =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Continue · Gatehouse</title></head><body><form method=\"post\" action=\"" +
      EscapeHtml(redirect_uri) + "\">";
  for (const auto& [name, value] : params.items())
    html += "<input type=\"hidden\" name=\"" + EscapeHtml(name) + "\" value=\"" +
            EscapeHtml(value) + "\">";
  html +=
      "<noscript><p>JavaScript is off. Press Continue to return to the application.</p>"
      "</noscript><button type=\"submit\">Continue</button></form><script>";
  html += kSubmitScript;
  html += "</script></body></html>";
  auto response = http::Response::Html(200, std::move(html));
  response.headers.Set("Content-Security-Policy", FormPostPolicy());
  response.NoStore();
  return response;
}

}  // namespace

http::Response DeliverAuthorizationResponse(const ResponseTarget& target, std::string_view issuer,
                                            Params params) {
  if (target.state) params.Add("state", *target.state);
  params.Add("iss", std::string(issuer));
  if (target.mode == ResponseMode::kFormPost) return FormPost(target.redirect_uri, params);
  auto response = http::Response::Redirect(AppendQuery(target.redirect_uri, params), 302);
  response.NoStore();
  return response;
}

}  // namespace gh::oidc
