#include "oidc/authorize_endpoint.h"

#include "core/log.h"
#include "oidc/authorization_code.h"
#include "oidc/authorization_response.h"
#include "oidc/authorize_request.h"
#include "oidc/consent_endpoint.h"
#include "oidc/id_token_hint.h"
#include "oidc/pkce.h"
#include "oidc/scope.h"
#include "oidc/session_state.h"
#include "web/html.h"

namespace gh::oidc {
namespace {

constexpr std::string_view kLoginPath = "/login";

// RFC 6749 §4.1.2.1: without a trusted client and redirect_uri the error is shown to the person,
// never redirected, so the endpoint cannot become an open redirector.
http::Response ErrorPage(int status, std::string_view message) {
  return web::ErrorPage(status, "Cannot continue to the application", message);
}

// The store did not answer: the person is told to try again here rather than the application
// being sent temporarily_unavailable, so that reloading the page resumes the same sign-in — and
// a load balancer sees the 503.
http::Response StoreUnavailable() { return ErrorPage(503, "Please try again shortly."); }

// Session Management 1.0 §3: while a session exists every response to the client, success or
// error, carries a session_state for its redirect origin, freshly salted.
void AddSessionState(Params& params, const std::optional<store::SessionRecord>& session,
                     std::string_view client_id, std::string_view redirect_uri, Random& random) {
  auto origin = UriOrigin(redirect_uri);
  if (session && origin)
    params.Add("session_state", SessionState(client_id, *origin, *session, random.Token(16)));
}

}  // namespace

http::Response AuthorizeEndpoint::Handle(const http::Request& request) const {
  // OpenID Connect Core §3.1.2.1: the request may come as a query (GET) or a form (POST).
  auto params = request.method == "POST" ? request.Form() : request.Query();
  if (!params.ok()) return ErrorPage(400, "The sign-in request was malformed.");
  auto redirect = ParseClientRedirect(*params);
  if (!redirect.ok()) return ErrorPage(400, redirect.error().description);
  auto client = context_.clients.Find(redirect->client_id);
  if (!client.ok()) return StoreUnavailable();
  if (!*client) return ErrorPage(400, "The application is not registered here.");
  if (!IsRegisteredRedirectUri(**client, redirect->redirect_uri))
    return ErrorPage(400, "The application sent an unregistered redirect_uri.");

  const auto& issuer = context_.settings.issuer;
  auto target = ErrorResponseTarget(*params, redirect->redirect_uri);
  auto session =
      context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  auto fail = [&](const OAuthError& error) {
    auto response = ToParams(error);
    if (session.ok())
      AddSessionState(response, *session, redirect->client_id, target.redirect_uri,
                      context_.random);
    return DeliverAuthorizationResponse(target, issuer, std::move(response));
  };
  if (!session.ok()) return StoreUnavailable();
  auto authorize = ParseAuthorizeRequest(*params, **client);
  if (!authorize.ok()) return fail(authorize.error());
  auto now = context_.clock.Now();
  std::optional<TimePoint> auth_time;
  bool hint_names_another_user = false;
  if (*session) {
    auth_time = (*session)->auth_time;
    // A hint that cannot be verified (foreign, garbled, signed by a key since unpublished)
    // names nobody this session can vouch for.
    if (authorize->id_token_hint) {
      auto hint = VerifyIdTokenHint(*authorize->id_token_hint, context_.settings.issuer,
                                    context_.keys.VerificationKeys());
      hint_names_another_user = !hint || hint->sub != (*session)->user_id;
    }
  }
  switch (DecideLogin(*authorize, auth_time, now, hint_names_another_user)) {
    case LoginDecision::kLoginRequired:
      return fail({OAuthErrorCode::kLoginRequired, "the end-user is not signed in"});
    case LoginDecision::kShowLogin: {
      // Always a GET back: the session cookie is SameSite=Lax, so a cross-site POST would not
      // carry it after the login.
      Params login{{"return_to", ResumeAfterLoginPath(*params)}};
      // Passed on for the sign-in page: an upstream identity provider to go straight to, and
      // what such an upstream must honour when it signs the person in.
      if (auto hint = params->Get("idp_hint")) login.Add("idp_hint", *hint);
      if (authorize->prompt.login) login.Add("prompt", "login");
      if (authorize->max_age) login.Add("max_age", std::to_string(authorize->max_age->count()));
      auto response = http::Response::Redirect(std::string(kLoginPath) + "?" + login.Encode());
      response.NoStore();
      return response;
    }
    case LoginDecision::kProceed:
      break;
  }
  bool remembered = false;
  if (HasScope(authorize->scope, kScopeOfflineAccess)) {
    auto consent = context_.store.FindConsent((*session)->user_id, authorize->client_id);
    if (!consent.ok()) return StoreUnavailable();
    remembered = *consent && HasScope((*consent)->scope, kScopeOfflineAccess);
  }
  switch (DecideConsent(*authorize, remembered)) {
    case ConsentDecision::kConsentRequired:
      return fail(
          {OAuthErrorCode::kConsentRequired, "offline_access needs the end-user's consent"});
    case ConsentDecision::kAsk: {
      auto response = http::Response::Redirect(std::string(kConsentPath) + "?" + params->Encode());
      response.NoStore();
      return response;
    }
    case ConsentDecision::kProceed:
      break;
  }

  AuthorizationCode content;
  content.grant_id = context_.random.Token(16);
  content.client_id = authorize->client_id;
  content.redirect_uri = authorize->target.redirect_uri;
  content.user_id = (*session)->user_id;
  content.sid = (*session)->sid;
  content.scope = authorize->scope;
  content.nonce = authorize->nonce;
  content.code_challenge = authorize->code_challenge;
  if (content.code_challenge) content.code_challenge_method = kPkceMethodS256;
  content.auth_time = (*session)->auth_time;
  content.method = (*session)->method;
  content.issued_at = now;
  content.expires_at = now + context_.settings.code_ttl;
  std::string code = SealAuthorizationCode(context_.settings.sealing_key, content);
  Log(LogLevel::kInfo, "oidc.code_issued",
      {{"client_id", content.client_id}, {"sub", content.user_id}, {"sid", content.sid}});
  Params response{{"code", code}};
  AddSessionState(response, *session, content.client_id, content.redirect_uri, context_.random);
  return DeliverAuthorizationResponse(authorize->target, issuer, std::move(response));
}

}  // namespace gh::oidc
