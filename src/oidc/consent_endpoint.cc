#include "oidc/consent_endpoint.h"

#include "core/log.h"
#include "oidc/authorize_request.h"
#include "oidc/scope.h"
#include "session/session_authority.h"
#include "web/consent_pages.h"
#include "web/html.h"

namespace gh::oidc {
namespace {

http::Response Refusal(int status, std::string_view message) {
  return web::ErrorPage(status, "Cannot continue", message);
}

// What a consent is about: the signed-in user and a registered client, from the request the
// authorize endpoint passed on. nullopt (with the refusal) when either is missing.
struct Subject {
  store::SessionRecord session;
  store::ClientRecord client;
};

Result<Subject, http::Response> FindSubject(const ProviderContext& context,
                                            const http::Request& request, const Params& params) {
  auto session = context.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  if (!session.ok()) return Fail(Refusal(503, "Please try again shortly."));
  if (!*session)
    return Fail(Refusal(400,
                        "You are not signed in any more. Go back to the application and "
                        "sign in again."));
  auto redirect = ParseClientRedirect(params);
  if (!redirect.ok()) return Fail(Refusal(400, "The request was malformed."));
  auto client = context.store.FindClient(redirect->client_id);
  if (!client.ok()) return Fail(Refusal(503, "Please try again shortly."));
  if (!*client || !IsRegisteredRedirectUri(**client, redirect->redirect_uri))
    return Fail(Refusal(400, "The application is not registered here."));
  return Subject{**session, **client};
}

}  // namespace

http::Response ConsentEndpoint::Show(const http::Request& request) const {
  auto params = request.Query();
  if (!params.ok()) return Refusal(400, "The request was malformed.");
  auto subject = FindSubject(context_, request, *params);
  if (!subject.ok()) return std::move(subject).error();
  auto user = context_.store.FindUserById(subject->session.user_id);
  if (!user.ok() || !*user) return Refusal(503, "Please try again shortly.");
  http::Response carrier;
  std::string token = context_.csrf.Issue(request, carrier);
  auto response = web::ConsentPage({token, subject->client.name, (*user)->username,
                                    params->Encode(), std::string(kConsentPath)});
  for (const auto& [name, value] : carrier.headers.items()) response.headers.Add(name, value);
  return response;
}

http::Response ConsentEndpoint::Submit(const http::Request& request) const {
  auto form = request.Form();
  if (!form.ok() || form->RepeatedName()) return Refusal(400, "The form was malformed.");
  if (!context_.csrf.Verify(request, *form))
    return Refusal(403, "The form expired. Go back to the application and try again.");
  auto params = Params::Parse(form->Get(web::kConsentRequestField).value_or(""));
  if (!params.ok()) return Refusal(400, "The request was malformed.");
  auto subject = FindSubject(context_, request, *params);
  if (!subject.ok()) return std::move(subject).error();
  bool granted = form->Get(web::kConsentDecisionField) == "allow";
  if (granted) {
    store::ConsentRecord consent{subject->session.user_id, subject->client.id,
                                 std::string(kScopeOfflineAccess), context_.clock.Now()};
    if (!context_.store.PutConsent(consent).ok()) return Refusal(503, "Please try again shortly.");
  }
  Log(LogLevel::kInfo, "consent.answered",
      {{"sub", subject->session.user_id}, {"client_id", subject->client.id}, {"granted", granted}});
  auto response = http::Response::Redirect(ResumeAfterConsentPath(*params, granted), 303);
  response.NoStore();
  return response;
}

}  // namespace gh::oidc
