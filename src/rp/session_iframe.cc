#include "rp/session_iframe.h"

#include <string_view>

#include "core/base64url.h"
#include "core/html_escape.h"
#include "crypto/digest.h"

namespace gh::rp {
namespace {

// Reads its settings from its own data-* attributes, so the script text never varies and one
// CSP hash covers it. Session Management 1.0 §3.1: messages are accepted only from the OP
// iframe; "error" stops the checks without re-authenticating, which would loop. A "changed"
// less than a minute after the previous re-check waits out the minute, bounding the loop an
// OP that always answers "changed" (blocked third-party storage, §5) would otherwise cause.
constexpr std::string_view kScript = R"js((function () {
  var cfg = document.currentScript.dataset;
  var op = document.createElement('iframe');
  var key = 'gh_rp_session_recheck';
  var minGap = 60000;
  var timer = null;
  function check() {
    op.contentWindow.postMessage(cfg.clientId + ' ' + cfg.sessionState, cfg.opOrigin);
  }
  function recheck() {
    sessionStorage.setItem(key, String(Date.now()));
    var page = window.parent.location;
    page.assign(cfg.recheckUrl + encodeURIComponent(page.pathname + page.search));
  }
  window.addEventListener('message', function (e) {
    if (e.origin !== cfg.opOrigin || e.source !== op.contentWindow) return;
    if (e.data === 'unchanged') return;
    clearInterval(timer);
    if (e.data !== 'changed') return;
    var last = Number(sessionStorage.getItem(key) || 0);
    setTimeout(recheck, Math.max(0, last + minGap - Date.now()));
  });
  op.onload = function () {
    check();
    timer = setInterval(check, Number(cfg.interval));
  };
  op.title = 'session check';
  op.hidden = true;
  op.src = cfg.opIframe;
  document.body.appendChild(op);
})();)js";

}  // namespace

http::Response SessionIframePage(const std::optional<SessionIframeSettings>& settings) {
  std::string body =
      "<!doctype html><html><head><meta charset=\"utf-8\"><title>Session check"
      "</title></head><body>";
  // frame-ancestors 'self': only the app's own pages may embed this page.
  std::string policy = "default-src 'none'; frame-ancestors 'self'";
  if (settings) {
    body += "<script data-op-iframe=\"" + EscapeHtml(settings->check_session_iframe) +
            "\" data-op-origin=\"" + EscapeHtml(settings->op_origin) + "\" data-client-id=\"" +
            EscapeHtml(settings->client_id) + "\" data-session-state=\"" +
            EscapeHtml(settings->session_state) + "\" data-recheck-url=\"" +
            EscapeHtml(settings->recheck_url) + "\" data-interval=\"" +
            std::to_string(settings->interval.count()) + "\">";
    body += kScript;
    body += "</script>";
    policy +=
        "; script-src " + crypto::CspHashSource(kScript) + "; frame-src " + settings->op_origin;
  }
  body += "</body></html>";
  http::Response response = http::Response::Html(200, std::move(body));
  response.headers.Set("Content-Security-Policy", std::move(policy));
  response.headers.Set("X-Content-Type-Options", "nosniff");
  response.NoStore();
  return response;
}

}  // namespace gh::rp
