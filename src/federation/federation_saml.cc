// Federation's SAML 2.0 upstream endpoints (Gatehouse as the IdP's service provider): the
// assertion consumer service and the Single Logout endpoint, where the IdP's LogoutResponses to
// our sign-outs and its own LogoutRequests arrive.
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "federation/federation.h"
#include "federation/round_trip.h"
#include "saml/inbound.h"
#include "saml/outbound.h"
#include "saml/vocabulary.h"
#include "web/auto_post.h"

namespace gh::federation {
namespace {

// Marks the ACS form Gatehouse's own page re-posts (see SamlAcs).
constexpr std::string_view kBouncedField = "gh_bounced";

}  // namespace

http::Response Federation::SamlAcs(const http::Request& request, Upstream& upstream) {
  const std::string retry = RetryMessage(upstream.settings);
  auto form = request.Form();
  if (!form.ok()) return SignInRefused(upstream, 400, form.error().message, retry);
  // The IdP's page posts here from its own site, so the browser leaves out the SameSite=Lax
  // binding cookie. Posting the same fields once more from our own page brings it along.
  if (!request.Cookie(kBindingCookie) && !form->Get(kBouncedField)) {
    Params again;
    for (const auto& [name, value] : form->items())
      if (name == "SAMLResponse" || name == "RelayState") again.Add(name, value);
    again.Add(std::string(kBouncedField), "1");
    return web::AutoPostForm(upstream.saml->AcsUrl(), again);
  }
  Params fields;
  for (const auto& [name, value] : form->items())
    if (name != kBouncedField) fields.Add(name, value);
  auto inbound = saml::DecodePost(fields);
  if (!inbound.ok()) return SignInRefused(upstream, 400, inbound.error().message, retry);
  if (inbound->is_request) return SignInRefused(upstream, 400, "not a Response", retry);
  // Unsolicited (IdP-initiated) Responses have no round trip to belong to: refused, as they
  // cannot be told apart from a login CSRF.
  auto taken = TakeSignIn(request, upstream, inbound->relay_state);
  if (auto* refused = std::get_if<http::Response>(&taken)) return std::move(*refused);
  return CompleteSignIn(
      request, upstream,
      upstream.saml->Finish(inbound->xml, SamlRequestId(kSignIn, *inbound->relay_state)),
      std::get<nlohmann::json>(taken));
}

http::Response Federation::SamlSlo(const http::Request& request, Upstream& upstream) {
  auto inbound = saml::DecodeBinding(request);
  if (!inbound.ok()) {
    Log(LogLevel::kWarn, "federation.saml_slo_rejected",
        {{"upstream", upstream.settings.id}, {"error", inbound.error().message}});
    return saml::RefuseSignOut(saml::IsSoap(request), 400,
                               "The SAML message was malformed: " + inbound.error().message);
  }
  if (inbound->is_request) return SamlLogoutRequest(request, std::move(*inbound), upstream);
  return SamlSignedOut(std::move(*inbound), upstream);
}

http::Response Federation::SamlSignedOut(saml::InboundMessage inbound, Upstream& upstream) {
  auto taken = TakeSignOut(inbound.relay_state, upstream);
  if (!taken.ok()) return signout::Unavailable();
  if (!*taken)
    return UnmatchedReturn(upstream,
                           inbound.relay_state
                               ? "returned with an unknown, expired or already used RelayState"
                               : "returned without RelayState");
  const auto& payload = **taken;
  const auto continue_to = ContinueTo(payload);
  auto failed = [&](const std::string& reason, std::string_view why) {
    Record(session::kEventUpstreamLogoutFailed, Text(payload, "sid"), Text(payload, "user"),
           upstream, {{"reason", reason}});
    return FinishSignOut(upstream, continue_to, false, why);
  };
  // Profiles §4.4.4.2: the LogoutResponse is signed by the IdP, answers our request, comes here.
  const std::string request_id = SamlRequestId(kSignOut, *inbound.relay_state);
  auto message = upstream.saml->Authenticate(std::move(inbound));
  if (!message.ok()) return failed(message.error().message, "its answer was not signed by it");
  auto response = saml::ParseLogoutResponse(message->element);
  if (!response.ok()) return failed(response.error().message, "its answer was malformed");
  if (response->in_response_to != request_id)
    return failed("the LogoutResponse answers another request (InResponseTo)",
                  "its answer did not match a sign-out of ours");
  if (response->destination && *response->destination != upstream.saml->SloUrl())
    return failed("the LogoutResponse is addressed elsewhere (Destination)",
                  "its answer was meant for someone else");
  if (response->status != saml::kStatusSuccess)
    return failed("the upstream answered " + response->status,
                  "it reported that the sign-out did not succeed");
  Record(session::kEventUpstreamLogoutConfirmed, Text(payload, "sid"), Text(payload, "user"),
         upstream, nlohmann::json::object());
  return FinishSignOut(upstream, continue_to, true, "");
}

http::Response Federation::SamlLogoutRequest(const http::Request& request,
                                             saml::InboundMessage inbound, Upstream& upstream) {
  const std::string binding = inbound.binding;
  const bool soap = binding == saml::kBindingSoap;
  const auto relay_state = inbound.relay_state;
  auto refuse = [&](int status, const std::string& why) {
    Log(LogLevel::kWarn, "federation.saml_slo_rejected",
        {{"upstream", upstream.settings.id}, {"error", why}});
    return saml::RefuseSignOut(soap, status, why);
  };
  // The same checks as a service provider's LogoutRequest at /saml/slo: signed (always, from an
  // upstream), addressed to us, fresh, not replayed.
  auto message = upstream.saml->Authenticate(std::move(inbound));
  if (!message.ok())
    return refuse(message.error().code == ErrorCode::kUnauthenticated ? 403 : 400,
                  "The LogoutRequest was refused: " + message.error().message);
  auto logout = saml::ParseLogoutRequest(message->element);
  if (!logout.ok()) return refuse(400, "The LogoutRequest was refused: " + logout.error().message);
  auto now = context_.clock.Now();
  if (auto accepted =
          saml::AcceptLogoutRequest(*logout, upstream.saml->SloUrl(), context_.store, now,
                                    saml::kDefaultClockSkew, saml::kDefaultMessageWindow);
      !accepted.ok()) {
    if (accepted.error().code == ErrorCode::kUnavailable) return refuse(503, "Please try again.");
    return refuse(400, "The LogoutRequest was refused: " + accepted.error().message);
  }

  // Core §3.7.3.2: the sessions of that NameID — of those SessionIndexes when it names any.
  std::vector<std::optional<std::string_view>> indexes;
  for (const auto& index : logout->session_indexes) indexes.emplace_back(index);
  if (indexes.empty()) indexes.emplace_back(std::nullopt);
  std::vector<std::string> sids;
  for (const auto& index : indexes) {
    auto found =
        context_.store.FindSessionsFromUpstream(upstream.settings.id, logout->name_id.value, index);
    if (!found.ok()) return refuse(503, "Please try again.");
    for (auto& sid : *found) {
      auto link = context_.store.FindUpstreamLink(sid);
      if (!link.ok()) return refuse(503, "Please try again.");
      if (*link && (*link)->saml && saml::NameIdMatches(logout->name_id, *(*link)->saml))
        sids.push_back(std::move(sid));
    }
  }
  auto ended = EndFromUpstream(upstream, sids, soap ? "saml-soap" : "saml-front-channel");
  if (!ended.ok()) return refuse(503, "Please try again.");
  Log(LogLevel::kInfo, "federation.saml_logout",
      {{"upstream", upstream.settings.id},
       {"binding", binding},
       {"sessions", static_cast<int>(sids.size())}});
  auto answer = sids.empty()
                    ? upstream.saml->Answer(*logout, soap, relay_state, saml::kStatusRequester,
                                            saml::kStatusUnknownPrincipal)
                    : upstream.saml->Answer(*logout, soap, relay_state, saml::kStatusSuccess);
  if (!answer.ok()) return refuse(503, "Please try again.");
  if (soap) return std::move(**answer);
  // An IdP that signs its service providers out in iframes of its own page (as Gatehouse does
  // with front-channel ones) expects no answer there: our applications' steps run in our frame.
  if (request.headers.Get("Sec-Fetch-Dest") == "iframe")
    return context_.sign_out.SignedOutInFrame(*ended, upstream.saml->Origin());
  // A browser is here: our applications' front-channel steps run on the signed-out page, then it
  // goes back to the upstream with the answer. An IdP that takes answers over HTTP-POST only gets
  // its form at once, without our front-channel steps (the back channel still reaches our apps).
  std::optional<std::string> continue_to;
  if (*answer) continue_to = (*answer)->headers.Get("Location");
  if (*answer && !continue_to) return std::move(**answer);
  auto current =
      context_.sessions.Resolve(request.Cookie(session::kSessionCookieName).value_or(""));
  bool clear_cookies = current.ok() && !*current;
  return context_.sign_out.SignedOut(request, *ended, {}, continue_to, "", clear_cookies);
}
}  // namespace gh::federation
