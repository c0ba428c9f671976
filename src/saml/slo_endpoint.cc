#include "saml/slo_endpoint.h"

#include <map>
#include <thread>

#include "core/log.h"
#include "saml/bindings.h"
#include "saml/browser_logout_step.h"
#include "saml/outbound.h"
#include "saml/vocabulary.h"
#include "web/auto_post.h"
#include "web/logout_pages.h"
#include "web/notice.h"
#include "web/session_cookies.h"

namespace gh::saml {
namespace {

// How long an answer waits for back-channel deliveries before it reports PartialLogout; the
// deliveries go on (and are retried) either way.
constexpr std::chrono::milliseconds kConfirmationWait{3000};
constexpr std::chrono::milliseconds kConfirmationPoll{50};

}  // namespace

http::Response SloEndpoint::Handle(const http::Request& request) const {
  auto inbound = DecodeBinding(request);
  bool soap = IsSoap(request);
  auto refuse = [&](int status, const std::string& why) {
    Log(LogLevel::kWarn, "saml.slo_rejected", {{"error", why}, {"remote", request.remote_address}});
    return RefuseSignOut(soap, status, why);
  };
  if (!inbound.ok())
    return refuse(400, "The SAML message was malformed: " + inbound.error().message);
  auto verified = ReadInbound(std::move(*inbound), context_.service_providers);
  if (!verified.ok()) {
    if (verified.error().code == ErrorCode::kUnavailable) return refuse(503, "Please try again.");
    return refuse(verified.error().code == ErrorCode::kUnauthenticated ? 403 : 400,
                  "The SAML message was refused: " + verified.error().message);
  }
  if (verified->inbound.is_request) return HandleRequest(request, std::move(*verified));
  return HandleResponse(std::move(*verified));
}

http::Response SloEndpoint::HandleRequest(const http::Request& request,
                                          VerifiedMessage message) const {
  const bool soap = message.inbound.binding == kBindingSoap;
  auto refuse = [&](int status, const std::string& why) {
    Log(LogLevel::kWarn, "saml.slo_rejected",
        {{"sp", message.sp.record.entity_id}, {"error", why}});
    return RefuseSignOut(soap, status, why);
  };
  auto logout = ParseLogoutRequest(message.element);
  if (!logout.ok()) return refuse(400, "The LogoutRequest was refused: " + logout.error().message);
  const auto& s = context_.settings;
  auto now = context_.clock.Now();
  if (auto accepted = AcceptLogoutRequest(*logout, s.slo_url(), context_.store, now, s.clock_skew,
                                          s.message_window);
      !accepted.ok()) {
    if (accepted.error().code == ErrorCode::kUnavailable) return refuse(503, "Please try again.");
    return refuse(400, "The LogoutRequest was refused: " + accepted.error().message);
  }

  // Where the answer goes: the SP's endpoint for the binding the request came by.
  const Endpoint* endpoint = message.sp.metadata->SingleLogout(message.inbound.binding);
  store::LogoutContextRecord::SamlInitiator initiator{
      message.sp.record.entity_id, logout->header.id, message.inbound.binding,
      endpoint ? endpoint->ResponseUrl() : "", message.inbound.relay_state};
  if (!soap && !endpoint)
    return refuse(400, "The service provider has no SingleLogoutService for this binding.");

  // The session, by what the SP was sent — never by the cookie alone (Core §3.7.3.2).
  std::optional<store::ParticipantRecord> participant;
  for (const auto& index : logout->session_indexes) {
    auto found = context_.store.FindSamlParticipant(message.sp.record.entity_id, index);
    if (!found.ok()) return refuse(503, "Please try again.");
    if (*found) participant = std::move(*found);
    if (participant) break;
  }
  if (!participant && logout->session_indexes.empty() && !soap) {
    auto current =
        context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
    if (!current.ok()) return refuse(503, "Please try again.");
    if (*current) {
      auto found = context_.store.FindParticipant((*current)->sid, message.sp.record.entity_id);
      if (!found.ok()) return refuse(503, "Please try again.");
      participant = std::move(*found);
    }
  }
  if (!participant || !participant->saml || !NameIdMatches(logout->name_id, *participant->saml)) {
    Log(LogLevel::kWarn, "saml.slo_unknown_principal", {{"sp", message.sp.record.entity_id}});
    if (soap || !initiator.response_url.empty())
      return Answer(initiator, kStatusRequester, kStatusUnknownPrincipal);
    return refuse(400, "No session matches the LogoutRequest.");
  }
  auto ending = context_.sessions.End(participant->sid, session::EndCause::kRpLogout, false,
                                      message.sp.record.entity_id);
  if (!ending.ok() && ending.error().code != ErrorCode::kNotFound)
    return refuse(503, "Please try again.");
  Log(LogLevel::kInfo, "logout.saml_sp_initiated",
      {{"sp", message.sp.record.entity_id},
       {"sid", participant->sid},
       {"binding", message.inbound.binding}});

  if (soap) {
    bool confirmed = AllConfirmed(participant->sid, message.sp.record.entity_id);
    return Answer(initiator, kStatusSuccess, confirmed ? "" : kStatusPartialLogout);
  }
  // A browser is here: it runs the front-channel steps of the other participants on the
  // signed-out page, then collects the answer at /saml/slo/finish, behind a single-use context.
  store::LogoutContextRecord context;
  context.sid = participant->sid;
  context.client_id = message.sp.record.entity_id;
  context.saml_initiator = initiator;
  auto logout_id = context_.sign_out.NewContext(std::move(context), /*used=*/false);
  if (!logout_id.ok()) return refuse(503, "Please try again.");
  std::vector<session::SessionEnding> endings;
  if (ending.ok()) endings.push_back(std::move(*ending));
  Params finish{{std::string(web::kLogoutIdField), *logout_id}};
  // The browser's own session is signed out only when it is the one that ended.
  auto current =
      context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  bool clear_cookies = current.ok() && !*current;
  return context_.sign_out.SignedOut(request, endings, {*logout_id},
                                     std::string(kSloFinishPath) + "?" + finish.Encode(), "",
                                     clear_cookies);
}

http::Response SloEndpoint::Finish(const http::Request& request) const {
  auto query = request.Query();
  auto logout_id = query.ok() ? query->Get(web::kLogoutIdField) : std::nullopt;
  if (!logout_id)
    return web::NoticePage(400, "Cannot sign out", "The sign-out link is incomplete.");
  using Outcome = signout::SignOutFlow::ContextUse::Outcome;
  auto use = context_.sign_out.UseContext(*logout_id);
  if (!use.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  if (use->outcome == Outcome::kUnknownOrExpired || !use->context->saml_initiator)
    return web::NoticePage(400, "This sign-out request expired",
                           "You are signed out of Gatehouse.");
  if (use->outcome == Outcome::kAlreadyUsed)
    return web::NoticePage(200, "You are signed out", "This sign-out was already carried out.");
  const auto& initiator = *use->context->saml_initiator;
  bool confirmed = AllConfirmed(use->context->sid, initiator.entity_id);
  return Answer(initiator, kStatusSuccess, confirmed ? "" : kStatusPartialLogout);
}

http::Response SloEndpoint::PostStep(const http::Request& request) const {
  auto query = request.Query();
  auto sealed = query.ok() ? query->Get("step") : std::nullopt;
  auto step =
      sealed ? OpenLogoutStep(context_.secret, StepToken::kFrame, *sealed, context_.clock.Now())
             : std::nullopt;
  if (!step)
    return web::NoticePage(400, "Cannot sign out", "This sign-out step is not valid any more.");
  auto participant = context_.store.FindParticipant(step->sid, step->entity_id);
  auto sp = context_.service_providers.Find(step->entity_id);
  if (!participant.ok() || !sp.ok())
    return web::NoticePage(503, "Unavailable", "Please try again.");
  const Endpoint* endpoint = *sp ? (*sp)->metadata->SingleLogout(kBindingPost) : nullptr;
  if (!*participant || !(*participant)->saml || !endpoint)
    return web::NoticePage(400, "Cannot sign out", "The application is no longer signed in here.");
  auto now = context_.clock.Now();
  auto built = BuildLogoutRequest(BrowserLogoutRequestId(context_.secret, *step, context_.random),
                                  context_.settings.entity_id(), endpoint->location, now,
                                  now + context_.settings.message_window, *(*participant)->saml,
                                  kReasonUser);
  if (!context_.signer.Sign(built.doc, built.root, built.issuer).ok())
    return web::NoticePage(503, "Unavailable", "Please try again.");
  Log(LogLevel::kInfo, "saml.logout_request_posted", {{"sp", step->entity_id}, {"sid", step->sid}});
  return web::AutoPostForm(endpoint->location,
                           EncodePost(true, built.doc.Serialize(), std::nullopt),
                           web::Framing::kSameOrigin);
}

Result<void> SloEndpoint::RecordBrowserOutcome(const std::string& entity_id,
                                               const LogoutResponse& response) const {
  auto now = context_.clock.Now();
  auto step = AnsweredLogoutStep(context_.secret, response.in_response_to, now);
  // Only an answer to a step of ours, from the SP it was for, and only once.
  if (!step || step->entity_id != entity_id) return Ok();
  GH_ASSIGN_OR_RETURN(bool first,
                      context_.store.RememberMessage(entity_id, response.id,
                                                     now + context_.settings.message_window));
  if (!first) return Ok();
  GH_ASSIGN_OR_RETURN(auto session, context_.store.FindSessionBySid(step->sid));
  store::LogoutNotificationRecord outcome;
  outcome.sid = step->sid;
  outcome.user_id = session ? session->user_id : "";
  outcome.channel = std::string(session::ChannelName(session::Channel::kSamlBrowser));
  outcome.attempts = 1;
  outcome.created_at = outcome.next_attempt_at = now;
  if (response.status == kStatusSuccess) {
    outcome.status = store::NotificationStatus::kDelivered;
    outcome.delivered_at = now;
  } else {
    outcome.status = store::NotificationStatus::kFailed;
    outcome.last_error = "status " + response.status;
  }
  std::vector<std::string> sp{entity_id};
  GH_RETURN_IF_ERROR(context_.store.EnqueueNotifications(outcome, sp));
  return Ok();
}

bool SloEndpoint::AllConfirmed(std::string_view sid, std::string_view initiator) const {
  auto participants = context_.store.ListParticipants(sid);
  if (!participants.ok()) return false;
  auto deadline = std::chrono::steady_clock::now() + kConfirmationWait;
  while (true) {
    auto rows = context_.store.ListNotifications(std::string(sid), 10'000);
    if (!rows.ok()) return false;
    std::map<std::string, store::NotificationStatus> status;
    for (const auto& n : *rows) status[n.client_id] = n.status;
    bool pending = false;
    for (const auto& p : *participants) {
      if (p.client_id == initiator) continue;
      auto it = status.find(p.client_id);
      // Without a back channel a participant cannot be confirmed when no browser is there.
      if (it == status.end() || it->second == store::NotificationStatus::kFailed) return false;
      pending |= it->second == store::NotificationStatus::kPending;
    }
    if (!pending) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kConfirmationPoll);
  }
}

http::Response SloEndpoint::Answer(const store::LogoutContextRecord::SamlInitiator& initiator,
                                   std::string_view status, std::string_view second_status) const {
  auto built = BuildLogoutResponse("_" + context_.random.Token(24), context_.settings.entity_id(),
                                   initiator.response_url, initiator.request_id,
                                   context_.clock.Now(), status, second_status);
  auto delivered = Deliver(std::move(built), false, initiator.binding, initiator.response_url,
                           initiator.relay_state, context_.signer);
  if (!delivered.ok()) return web::NoticePage(503, "Unavailable", "Please try again.");
  return std::move(*delivered);
}

http::Response SloEndpoint::HandleResponse(VerifiedMessage message) const {
  auto response = ParseLogoutResponse(message.element);
  if (!response.ok()) return web::NoticePage(400, "Cannot sign out", response.error().message);
  if (response->destination && *response->destination != context_.settings.slo_url())
    return web::NoticePage(400, "Cannot sign out",
                           "The LogoutResponse is not addressed to Gatehouse.");
  bool success = response->status == kStatusSuccess;
  Log(success ? LogLevel::kInfo : LogLevel::kWarn, "saml.logout_response",
      {{"sp", message.sp.record.entity_id},
       {"in_response_to", response->in_response_to},
       {"status", response->status}});
  if (!RecordBrowserOutcome(message.sp.record.entity_id, *response).ok())
    return web::NoticePage(503, "Unavailable", "Please try again.");
  return web::NoticePage(200, success ? "Signed out" : "Sign-out not confirmed",
                         success ? "The application confirmed the sign-out."
                                 : "The application did not confirm the sign-out.");
}

}  // namespace gh::saml
