#include "oidc/oidc_participants.h"

#include <unordered_map>

#include "oidc/frontchannel_logout.h"

namespace gh::oidc {

Result<std::vector<std::optional<session::ParticipantLogout>>> OidcParticipants::Describe(
    store::Store& tx, const store::SessionRecord& session,
    std::span<const store::ParticipantRecord> participants) {
  // One query for every client of the session: a sign-out with 1000 participants makes one.
  GH_ASSIGN_OR_RETURN(auto clients, tx.ListParticipantClients(session.sid));
  std::unordered_map<std::string_view, const store::ClientRecord*> by_id;
  for (const auto& client : clients) by_id.emplace(client.id, &client);

  std::vector<std::optional<session::ParticipantLogout>> described;
  described.reserve(participants.size());
  for (const auto& p : participants) {
    auto it = by_id.find(p.client_id);
    if (it == by_id.end()) {
      described.emplace_back();
      continue;
    }
    const auto& client = *it->second;
    session::ParticipantLogout logout;
    logout.display_name = client.name;
    if (client.backchannel_logout_uri) logout.back_channel = session::Channel::kOidcBackChannel;
    logout.frontchannel_url = FrontChannelLogoutUrl(client, issuer_, session.sid);
    described.push_back(std::move(logout));
  }
  return described;
}

}  // namespace gh::oidc
