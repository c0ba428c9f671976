// OidcParticipants: tells the session authority how to sign out the OpenID Connect clients of a
// session — Back-Channel Logout through the outbox when registered, Front-Channel Logout in the
// signed-out page's iframes when registered.
#pragma once

#include <string>

#include "session/participant_protocol.h"

namespace gh::oidc {

// ParticipantRecord::protocol of OpenID Connect clients.
inline constexpr std::string_view kOidcProtocol = "oidc";

class OidcParticipants final : public session::ParticipantProtocol {
 public:
  explicit OidcParticipants(std::string issuer) : issuer_(std::move(issuer)) {}

  std::string_view name() const override { return kOidcProtocol; }
  Result<std::vector<std::optional<session::ParticipantLogout>>> Describe(
      store::Store& tx, const store::SessionRecord& session,
      std::span<const store::ParticipantRecord> participants) override;

 private:
  std::string issuer_;
};

}  // namespace gh::oidc
