// SamlUpstream: Gatehouse as the SAML 2.0 service provider of an upstream identity provider — the
// SP metadata it publishes, the signed AuthnRequest, the Response validated by saml/ as strictly
// as Gatehouse's own SPs are held, and the Single Logout messages in both directions, signed with
// the key ring's SAML credential. The upstream's metadata comes parsed in its settings.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "federation/oidc_upstream.h"
#include "federation/upstream_settings.h"
#include "http/client.h"
#include "http/message.h"
#include "saml/bindings.h"
#include "saml/idp_signer.h"
#include "saml/inbound.h"
#include "saml/messages.h"
#include "saml/metadata.h"

namespace gh::federation {

class SamlUpstream {
 public:
  // `entity_id` is Gatehouse's SP entityID towards this upstream, also its metadata URL; the ACS
  // and SLO endpoints hang below it. REQUIRES: settings.saml_idp.
  SamlUpstream(const UpstreamSettings& settings, std::string entity_id, saml::IdpSigner& signer,
               http::HttpClient& http, const Clock& clock, Random& random);

  const std::string& entity_id() const { return entity_id_; }
  std::string AcsUrl() const { return entity_id_ + "/acs"; }
  std::string SloUrl() const { return entity_id_ + "/slo"; }
  // Gatehouse's SPSSODescriptor for this upstream, to register there.
  Result<std::string> Metadata();

  // The browser's way to the IdP with a signed AuthnRequest `request_id` (HTTP-Redirect), which
  // forces a fresh sign-in when `demand` asks for one.
  Result<http::Response> SignIn(const std::string& request_id, const std::string& relay_state,
                                const web::AuthenticationDemand& demand);
  // The Response to request `request_id`, every rule of saml::ReadResponse applied.
  // kPermissionDenied when the IdP refused to sign the person in.
  Result<UpstreamIdentity> Finish(std::string_view response_xml, const std::string& request_id);

  // The browser's way to the IdP's SingleLogoutService with a signed LogoutRequest for `subject`
  // (HTTP-Redirect, else HTTP-POST); nullopt when the IdP has no SLO endpoint for either.
  // kUnavailable when the endpoint does not answer right now, so the person is told instead of
  // being sent to a dead server. Blocks: call it from the worker pool.
  Result<std::optional<http::Response>> SignOut(const store::SamlSubject& subject,
                                                const std::string& request_id,
                                                const std::string& relay_state);
  // A message at our SLO endpoint, which must come from the IdP, signed.
  Result<saml::SignedMessage> Authenticate(saml::InboundMessage inbound) const;
  // The signed LogoutResponse to the IdP's `request`: as the answer to a SOAP request, or else
  // through the browser — over HTTP-Redirect where the IdP has it, a URL the signed-out page can
  // continue to after our own front-channel steps, else HTTP-POST; nullopt when the IdP has no
  // SLO endpoint to receive it.
  Result<std::optional<http::Response>> Answer(const saml::LogoutRequest& request, bool soap,
                                               const std::optional<std::string>& relay_state,
                                               std::string_view status,
                                               std::string_view second_status = {});

  // The IdP's web origin (of its SingleSignOnService), which alone may frame our pages.
  std::string Origin() const;

 private:
  const UpstreamSettings& settings_;
  const saml::IdpMetadata& idp_;  // settings_.saml_idp
  const std::string entity_id_;
  saml::IdpSigner& signer_;
  http::HttpClient& http_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace gh::federation
