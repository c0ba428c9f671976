#include "web/html.h"

#include "core/base64url.h"
#include "core/html_escape.h"
#include "crypto/digest.h"

namespace gh::web {
namespace {

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; --ink:#1d2330; --muted:#5b6475; --accent:#2f5bd3; --line:#dfe3ea; }
* { box-sizing: border-box; }
body { margin:0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--ink);
       background:#f4f6fa; }
main { max-width: 28rem; margin: 8vh auto; background:#fff; border:1px solid var(--line);
       border-radius: 12px; padding: 2rem 2.25rem; box-shadow: 0 8px 24px rgba(20,30,60,.06); }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
.brand { font-weight: 600; color: var(--accent); letter-spacing: .02em; margin-bottom: 1.25rem; }
label { display:block; font-size:.9rem; color:var(--muted); margin: .75rem 0 .25rem; }
input[type=text], input[type=password] { width:100%; padding:.6rem .7rem; font-size:1rem;
       border:1px solid var(--line); border-radius:8px; }
button { margin-top: 1.25rem; width:100%; padding:.65rem; font-size:1rem; border:0; border-radius:8px;
       background: var(--accent); color:#fff; cursor:pointer; }
button.secondary { background:#e9edf5; color:var(--ink); }
a.upstream { display:block; margin-top:.75rem; padding:.65rem; border-radius:8px; text-align:center;
       background:#e9edf5; color:var(--ink); text-decoration:none; }
.error { background:#fdecec; color:#8a1f1f; border-radius:8px; padding:.6rem .8rem; margin:.5rem 0; }
.muted { color: var(--muted); font-size: .9rem; }
ul.apps { padding-left: 1.1rem; }
)css";

}  // namespace

std::string Page(std::string_view title, std::string_view body_html) {
  std::string out =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>";
  out += EscapeHtml(title);
  out += " · Gatehouse</title><style>";
  out += kStyle;
  out += "</style></head><body><main><div class=\"brand\">Gatehouse</div>";
  out += body_html;
  out += "</main></body></html>";
  return out;
}

std::string PageStyleSource() { return crypto::CspHashSource(kStyle); }

std::string HiddenField(std::string_view name, std::string_view value) {
  return "<input type=\"hidden\" name=\"" + EscapeHtml(name) + "\" value=\"" + EscapeHtml(value) +
         "\">";
}

http::Response ErrorPage(int status, std::string_view title, std::string_view message) {
  auto response = http::Response::Html(
      status, Page(title, "<h1>" + EscapeHtml(title) + "</h1><p>" + EscapeHtml(message) + "</p>"));
  response.NoStore();
  return response;
}

}  // namespace gh::web
