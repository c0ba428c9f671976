// BackchannelSender: delivers one outbox row of Channel::kOidcBackChannel as OpenID Connect
// Back-Channel Logout 1.0 §2.5 prescribes — a freshly signed Logout Token POSTed to the RP's
// backchannel_logout_uri — and tells the LogoutDispatcher whether the RP took it, may take it
// later, or never will.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "http/client.h"
#include "keys/key_ring.h"
#include "session/logout_dispatcher.h"
#include "store/client_cache.h"
#include "store/store.h"

namespace gh::oidc {

struct BackchannelSenderOptions {
  std::string issuer;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds total_timeout{5000};
  // How long a client's registration is reused between deliveries: a sign-out fans out to
  // hundreds of tokens for the same clients, and a registration change (URI, algorithm,
  // removal) reaches delivery within this time.
  Seconds client_cache_ttl{2};
};

// How the RP's answer (or its absence) maps onto the dispatcher's outcomes. §2.8: 200 is
// success and 204 must be accepted too; 400 means the RP rejected the token, which resending
// cannot change. §2.5 (retransmission, as RFC 8935): only recoverable failures — network errors,
// timeouts, 408, 425, 429 and 5xx — are retried.
session::DeliveryOutcome ClassifyDelivery(const Result<http::OutboundResponse>& response);

class BackchannelSender final : public session::NotificationSender {
 public:
  BackchannelSender(store::ClientStore& clients, keys::KeyRing& keys, Clock& clock, Random& random,
                    http::HttpClient& http, BackchannelSenderOptions options);

  // Mints a new Logout Token on every attempt, so a retry hours later still carries one the RP
  // accepts (its exp is two minutes after signing). Blocks only on the store and signing.
  void Send(const store::LogoutNotificationRecord& notification,
            std::function<void(session::DeliveryOutcome)> done) override;

 private:
  // The request for `notification`, or the outcome that ends the attempt without one.
  Result<http::OutboundRequest, session::DeliveryOutcome> BuildRequest(
      const store::LogoutNotificationRecord& notification);

  store::ClientCache clients_;
  keys::KeyRing& keys_;
  Clock& clock_;
  Random& random_;
  http::HttpClient& http_;
  BackchannelSenderOptions options_;
};

}  // namespace gh::oidc
