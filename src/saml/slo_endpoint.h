// SloEndpoint: SAML Single Logout with Gatehouse as the session authority (Profiles §4.4) at
// /saml/slo. A service provider's LogoutRequest — HTTP-Redirect, HTTP-POST or SOAP — is
// authenticated, matched to the IdP session by (SP, NameID, SessionIndex), and ends that session
// through the SessionAuthority like every other sign-out, which notifies every other participant
// whatever its protocol. The answer is a signed LogoutResponse over the binding the request came
// by: Success, or Success with PartialLogout when some participant could not be confirmed.
// LogoutResponses to the IdP's own LogoutRequests arrive here too.
#pragma once

#include "http/message.h"
#include "saml/inbound.h"
#include "saml/saml_context.h"

namespace gh::saml {

class SloEndpoint {
 public:
  explicit SloEndpoint(const SamlContext& context) : context_(context) {}

  // GET (HTTP-Redirect), POST form (HTTP-POST) or POST text/xml (SOAP) to /saml/slo.
  http::Response Handle(const http::Request& request) const;
  // GET /saml/slo/finish?logoutId=…: answers the SP that started a browser sign-out.
  http::Response Finish(const http::Request& request) const;
  // GET /saml/slo/frame?step=…: in the signed-out page's iframe, posts a signed LogoutRequest to
  // an SP whose front-channel SingleLogoutService takes only HTTP-POST.
  http::Response PostStep(const http::Request& request) const;

 private:
  http::Response HandleRequest(const http::Request& request, VerifiedMessage message) const;
  http::Response HandleResponse(VerifiedMessage message) const;
  // A LogoutResponse that answers one of our front-channel LogoutRequests, recorded in the
  // logout outbox as that SP's outcome (channel saml_browser): the signed-out page shows it, and
  // the answer to the SP that started the sign-out counts it as confirmed.
  Result<void> RecordBrowserOutcome(const std::string& entity_id,
                                    const LogoutResponse& response) const;
  // Waits briefly for the back-channel notifications of session `sid` to settle; whether every
  // participant but `initiator` confirmed its sign-out (Success rather than PartialLogout).
  bool AllConfirmed(std::string_view sid, std::string_view initiator) const;
  // A signed LogoutResponse to `initiator` over its binding.
  http::Response Answer(const store::LogoutContextRecord::SamlInitiator& initiator,
                        std::string_view status, std::string_view second_status) const;

  const SamlContext& context_;
};

}  // namespace gh::saml
