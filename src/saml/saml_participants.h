// SamlParticipants: tells the session authority how to sign out the SAML service providers of a
// session — a LogoutRequest over SOAP from the durable outbox when the SP has a SOAP
// SingleLogoutService, else a signed HTTP-Redirect LogoutRequest the signed-out page loads, else
// (HTTP-POST only) Gatehouse's /saml/slo/frame page in that iframe, which posts one.
#pragma once

#include "saml/saml_context.h"
#include "session/participant_protocol.h"

namespace gh::saml {

class SamlParticipants final : public session::ParticipantProtocol {
 public:
  SamlParticipants(const SamlSettings& settings, ServiceProviders& sps, IdpSigner& signer,
                   Clock& clock, Random& random)
      : settings_(settings), sps_(sps), signer_(signer), clock_(clock), random_(random) {}

  std::string_view name() const override { return kSamlProtocol; }
  Result<std::vector<std::optional<session::ParticipantLogout>>> Describe(
      store::Store& tx, const store::SessionRecord& session,
      std::span<const store::ParticipantRecord> participants) override;

 private:
  // The iframe URL that signs `p` out through the browser: its signed HTTP-Redirect
  // LogoutRequest at `redirect`, or (none) Gatehouse's page that posts one.
  Result<std::string> BrowserStepUrl(std::string_view secret, std::string_view sid,
                                     const store::ParticipantRecord& p, const Endpoint* redirect);

  const SamlSettings& settings_;
  ServiceProviders& sps_;
  IdpSigner& signer_;
  Clock& clock_;
  Random& random_;
};

}  // namespace gh::saml
