// SoapLogoutSender: delivers one outbox row of Channel::kSamlSoap — a signed LogoutRequest naming
// the participant exactly as its assertion did, POSTed over the SOAP binding to the SP's SOAP
// SingleLogoutService (Bindings §3.2) — and reads the SP's LogoutResponse: delivered when it
// answers Success with the right InResponseTo, retried when it cannot be reached.
#pragma once

#include "http/client.h"
#include "saml/saml_context.h"
#include "session/logout_dispatcher.h"

namespace gh::saml {

class SoapLogoutSender final : public session::NotificationSender {
 public:
  SoapLogoutSender(const SamlSettings& settings, store::Store& store, ServiceProviders& sps,
                   IdpSigner& signer, Clock& clock, Random& random, http::HttpClient& http)
      : settings_(settings),
        store_(store),
        sps_(sps),
        signer_(signer),
        clock_(clock),
        random_(random),
        http_(http) {}

  void Send(const store::LogoutNotificationRecord& notification,
            std::function<void(session::DeliveryOutcome)> done) override;

 private:
  const SamlSettings& settings_;
  store::Store& store_;
  ServiceProviders& sps_;
  IdpSigner& signer_;
  Clock& clock_;
  Random& random_;
  http::HttpClient& http_;
};

// How an SP's answer to a SOAP LogoutRequest with id `request_id` ends the attempt.
session::DeliveryOutcome ClassifySoapAnswer(const Result<http::OutboundResponse>& response,
                                            const std::string& request_id,
                                            const ServiceProvider& sp);

}  // namespace gh::saml
