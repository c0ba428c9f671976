// What the session authority asks of each sign-in protocol (OIDC, SAML) about the participants
// it signed in: how each can be told that its session ended. The authority stays protocol-neutral;
// a protocol adds a ParticipantProtocol and a NotificationSender for its channels.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"
#include "store/store.h"

namespace gh::session {

// How the logout outbox's rows reached their participant: the server-to-server channels it
// delivers itself, one per protocol mechanism, and the browser, whose confirmations it records.
enum class Channel {
  kOidcBackChannel,  // OpenID Connect Back-Channel Logout 1.0: a Logout Token POSTed to the RP
  kSamlSoap,         // SAML 2.0 Single Logout over the SOAP binding
  // A SAML LogoutResponse the browser brought back from a front-channel step (HTTP-Redirect or
  // HTTP-POST): recorded when it arrives, never sent by the outbox.
  kSamlBrowser,
};
// The name the outbox stores (LogoutNotificationRecord::channel).
std::string_view ChannelName(Channel channel);
std::optional<Channel> ParseChannel(std::string_view name);

// How one participant can be signed out.
struct ParticipantLogout {
  std::string display_name;
  // A message the outbox delivers, durable and retried, whether or not a browser is there.
  std::optional<Channel> back_channel;
  // A page the signed-out page loads in an iframe (OpenID Connect Front-Channel Logout; a SAML
  // LogoutRequest over HTTP-Redirect, or Gatehouse's page that posts one).
  std::optional<std::string> frontchannel_url;
};

class ParticipantProtocol {
 public:
  virtual ~ParticipantProtocol() = default;
  // ParticipantRecord::protocol of the participants this protocol describes.
  virtual std::string_view name() const = 0;
  // How to sign out each of `participants` (all of this protocol, all of `session`), read through
  // `tx` in a few round trips however many there are; nullopt for one whose registration has
  // been removed since.
  virtual Result<std::vector<std::optional<ParticipantLogout>>> Describe(
      store::Store& tx, const store::SessionRecord& session,
      std::span<const store::ParticipantRecord> participants) = 0;
};

}  // namespace gh::session
