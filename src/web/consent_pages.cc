#include "web/consent_pages.h"

#include "core/html_escape.h"
#include "web/csrf.h"
#include "web/html.h"

namespace gh::web {

http::Response ConsentPage(const ConsentQuestion& question) {
  std::string body = "<h1>Allow offline access?</h1><p><strong>" +
                     EscapeHtml(question.client_name) +
                     "</strong> asks to keep access to your account while you are away, until "
                     "you revoke it. Signing out does not end it.</p><p class=\"muted\">Signed in "
                     "as " +
                     EscapeHtml(question.username) + ".</p>";
  body += "<form method=\"post\" action=\"" + EscapeHtml(question.action) + "\">";
  body += HiddenField(kCsrfFieldName, question.csrf_token);
  body += HiddenField(kConsentRequestField, question.request);
  body += "<button type=\"submit\" name=\"" + std::string(kConsentDecisionField) +
          "\" value=\"allow\">Allow</button><button type=\"submit\" name=\"" +
          std::string(kConsentDecisionField) +
          "\" value=\"deny\" class=\"secondary\" autofocus>Don't allow</button></form>";
  auto response = http::Response::Html(200, Page("Allow offline access?", body));
  response.headers.Set("Content-Security-Policy",
                       "default-src 'none'; style-src " + PageStyleSource() +
                           "; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  response.NoStore();
  return response;
}

}  // namespace gh::web
