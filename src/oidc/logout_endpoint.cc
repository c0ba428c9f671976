#include "oidc/logout_endpoint.h"

#include "core/log.h"
#include "oidc/discovery.h"
#include "oidc/end_session_request.h"
#include "web/notice.h"
#include "web/session_cookies.h"

namespace gh::oidc {

using signout::ContinueUrl;
using signout::Unavailable;
http::Response LogoutEndpoint::EndSession(const http::Request& request) const {
  // RP-Initiated Logout 1.0 §2: the OP MUST accept both GET (query) and POST (form).
  auto params = request.method == "POST" ? request.Form() : request.Query();
  if (!params.ok())
    return web::NoticePage(400, "Cannot sign out", "The sign-out request was malformed.");
  // gh_session is SameSite=Lax, so a cross-site form POST arrives without it. Re-asking as a
  // top-level GET, which carries Lax cookies, lets the session be found instead of being missed.
  if (request.method == "POST" && !request.Cookie(session::kSessionCookieName)) {
    auto response =
        http::Response::Redirect(std::string(kEndSessionPath) + "?" + params->Encode(), 303);
    response.NoStore();
    return response;
  }
  auto parsed =
      ParseEndSessionRequest(*params, context_.settings.issuer, context_.keys.VerificationKeys());
  if (!parsed.ok()) return web::NoticePage(400, "Cannot sign out", parsed.error().message);

  std::optional<store::ClientRecord> client;
  if (parsed->client_id) {
    auto found = context_.store.FindClient(*parsed->client_id);
    if (!found.ok()) return Unavailable();
    client = std::move(*found);
  }
  auto redirect = DecidePostLogoutRedirect(*parsed, client);
  auto session =
      context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  if (!session.ok()) return Unavailable();

  if (!*session) {
    // §2: logout is idempotent; with no session here there is nothing to end or to confirm.
    if (redirect.uri) {
      auto response = http::Response::Redirect(ContinueUrl(*redirect.uri, parsed->state), 303);
      web::ClearSessionCookies(response, sign_out_.SecureCookies(request));
      response.NoStore();
      return response;
    }
    return sign_out_.SignedOut(request, {}, {}, std::nullopt, redirect.refusal, true);
  }

  const auto& current = **session;
  std::optional<std::string> client_id;
  if (client && parsed->problem.empty()) client_id = client->id;
  bool confirm = NeedsConfirmation(*parsed, current);
  store::LogoutContextRecord context;
  context.sid = current.sid;
  context.client_id = client_id;
  context.post_logout_redirect_uri = redirect.uri;
  context.state = parsed->state;
  context.ui_locales = parsed->ui_locales;
  auto logout_id = sign_out_.NewContext(std::move(context), /*used=*/!confirm);
  if (!logout_id.ok()) return Unavailable();
  if (!context_.sessions.NoteLogoutStarted(current, client_id.value_or("")).ok())
    return Unavailable();

  if (confirm) {
    std::string notice = parsed->problem;
    if (!redirect.refusal.empty()) notice += (notice.empty() ? "" : " ") + redirect.refusal;
    return sign_out_.AskToConfirm(request, *logout_id,
                                  client_id ? std::optional(client->name) : std::nullopt, notice);
  }
  auto ending = context_.sessions.End(current.sid, session::EndCause::kRpLogout);
  if (!ending.ok()) return Unavailable();
  Log(LogLevel::kInfo, "logout.rp_initiated",
      {{"sid", current.sid}, {"client_id", client_id.value_or("")}, {"confirmed", false}});
  std::optional<std::string> continue_to;
  if (redirect.uri) continue_to = ContinueUrl(*redirect.uri, parsed->state);
  return sign_out_.SignedOut(request, {*ending}, {*logout_id}, continue_to, redirect.refusal, true);
}

}  // namespace gh::oidc
