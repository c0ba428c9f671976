#include "oidc/session_check_endpoint.h"

#include "crypto/digest.h"
#include "oidc/session_state.h"
#include "web/html.h"

namespace gh::oidc {
namespace {

// §3.2: answers "client_id session_state" messages to the window that sent them, at its origin.
// The origin check happens on the server, which knows the registered redirect URIs.
constexpr std::string_view kCheckScript = R"js((function () {
  window.addEventListener('message', function (e) {
    if (!e.source || e.origin === 'null') return;
    function reply(answer) { e.source.postMessage(answer, e.origin); }
    var space = typeof e.data === 'string' ? e.data.lastIndexOf(' ') : -1;
    if (space <= 0 || space === e.data.length - 1) { reply('error'); return; }
    var body = new URLSearchParams();
    body.set('client_id', e.data.slice(0, space));
    body.set('origin', e.origin);
    body.set('session_state', e.data.slice(space + 1));
    fetch('check/state', {method: 'POST', body: body, credentials: 'omit', cache: 'no-store'})
      .then(function (r) { return r.ok ? r.text() : 'error'; })
      .then(function (a) { reply(a === 'changed' || a === 'unchanged' ? a : 'error'); },
            function () { reply('error'); });
  });
})();)js";

http::Response Answer(SessionCheck check) {
  auto response = http::Response::Text(200, ToString(check));
  response.NoStore();
  return response;
}

}  // namespace

http::Response SessionCheckEndpoint::Frame(const http::Request&) const {
  // The page and its policy never change: made once, so the server can serve them inline.
  static const std::string kPage = [] {
    std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Session check · Gatehouse</title></head><body><script>";
    html += kCheckScript;
    html += "</script></body></html>";
    return html;
  }();
  // Relying parties embed this page, so unlike every other page it may be framed; it has no UI
  // to click on and only ever answers changed/unchanged/error.
  static const std::string kPolicy = "default-src 'none'; script-src " +
                                     crypto::CspHashSource(kCheckScript) +
                                     "; connect-src 'self'; base-uri 'none'; frame-ancestors *";
  auto response = http::Response::Html(200, kPage);
  response.headers.Set("Content-Security-Policy", kPolicy);
  response.NoStore();
  return response;
}

http::Response SessionCheckEndpoint::State(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok() || form->RepeatedName()) return Answer(SessionCheck::kError);
  auto client_id = form->Get("client_id");
  auto origin = form->Get("origin");
  auto session_state = form->Get("session_state");
  if (!client_id || !origin || !session_state) return Answer(SessionCheck::kError);
  auto sid = SessionStateSid(*session_state);
  auto client = context_.store.FindClient(*client_id);
  if (!sid || !client.ok() || !client->has_value()) return Answer(SessionCheck::kError);
  auto session = context_.store.FindSessionBySid(*sid);
  if (!session.ok()) return Answer(SessionCheck::kError);
  std::optional<store::SessionRecord> live;
  if (*session && (*session)->active() && !context_.sessions.Expired(**session))
    live = std::move(*session);
  return Answer(CheckSessionState(**client, *origin, *session_state, live));
}

}  // namespace gh::oidc
