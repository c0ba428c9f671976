#include "saml/soap_logout_sender.h"

#include "saml/inbound.h"
#include "saml/messages.h"
#include "saml/vocabulary.h"

namespace gh::saml {
namespace {

using Kind = session::DeliveryOutcome::Kind;

}  // namespace

session::DeliveryOutcome ClassifySoapAnswer(const Result<http::OutboundResponse>& response,
                                            const std::string& request_id,
                                            const ServiceProvider& sp) {
  if (!response.ok()) return {Kind::kRetry, response.error().message};
  int status = response->status;
  if (status == 408 || status == 429 || status >= 500)
    return {Kind::kRetry, "HTTP " + std::to_string(status)};
  if (status != 200) return {Kind::kPermanent, "HTTP " + std::to_string(status)};
  InboundMessage inbound{std::string(kBindingSoap), false, response->body, std::nullopt,
                         std::nullopt};
  auto verified = ReadInboundFrom(std::move(inbound), sp);
  if (!verified.ok())
    return {Kind::kPermanent, "LogoutResponse refused: " + verified.error().message};
  auto answer = ParseLogoutResponse(verified->element);
  if (!answer.ok()) return {Kind::kPermanent, "LogoutResponse refused: " + answer.error().message};
  if (answer->in_response_to != request_id)
    return {Kind::kPermanent, "LogoutResponse answers another request"};
  if (answer->status != kStatusSuccess)
    return {Kind::kPermanent,
            "status " + answer->status +
                (answer->second_status.empty() ? "" : " / " + answer->second_status)};
  return {Kind::kDelivered, ""};
}

void SoapLogoutSender::Send(const store::LogoutNotificationRecord& n,
                            std::function<void(session::DeliveryOutcome)> done) {
  auto sp = sps_.Find(n.client_id);
  if (!sp.ok()) return done({Kind::kRetry, "service provider lookup: " + sp.error().message});
  if (!*sp) return done({Kind::kPermanent, "service provider was removed"});
  const Endpoint* endpoint = (*sp)->metadata->SingleLogout(kBindingSoap);
  if (!endpoint)
    return done({Kind::kPermanent, "service provider has no SOAP SingleLogoutService"});
  auto participant = store_.FindParticipant(n.sid, n.client_id);
  if (!participant.ok()) return done({Kind::kRetry, participant.error().message});
  if (!*participant || !(*participant)->saml)
    return done({Kind::kPermanent, "the session no longer records this participant"});
  const store::SamlSubject& subject = *(*participant)->saml;

  // A new request on every attempt, so a retry hours later carries a NotOnOrAfter still ahead.
  auto now = clock_.Now();
  std::string request_id = "_" + random_.Token(24);
  auto request = BuildLogoutRequest(request_id, settings_.entity_id(), endpoint->location, now,
                                    now + settings_.message_window, subject, kReasonAdmin);
  if (auto signed_ok = signer_.Sign(request.doc, request.root, request.issuer); !signed_ok.ok())
    return done({Kind::kRetry, "signing: " + signed_ok.error().message});
  http::OutboundRequest out;
  out.url = endpoint->location;
  out.headers.Set("Content-Type", "text/xml; charset=utf-8");
  out.headers.Set("SOAPAction", std::string(kSoapAction));
  out.body = WrapInSoapEnvelope(request.doc.Serialize());
  http_.Send(std::move(out), [done = std::move(done), request_id,
                              sp = std::move(**sp)](Result<http::OutboundResponse> response) {
    done(ClassifySoapAnswer(response, request_id, sp));
  });
}

}  // namespace gh::saml
