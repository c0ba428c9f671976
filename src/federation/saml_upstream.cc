#include "federation/saml_upstream.h"

#include <nlohmann/json.hpp>

#include "rp/blocking_http.h"
#include "saml/outbound.h"
#include "saml/response_reader.h"
#include "saml/vocabulary.h"

namespace gh::federation {
namespace {

// How long the IdP may take to act on our LogoutRequest (Core §3.7.1 NotOnOrAfter).
constexpr Seconds kLogoutRequestLifetime{300};
constexpr std::string_view kReasonUser = "urn:oasis:names:tc:SAML:2.0:logout:user";
// The liveness check before sending a browser away to sign out: short, a person is waiting.
constexpr std::chrono::milliseconds kProbeTimeout{2000};

// The IdP's SLO endpoint the browser can take a message to: HTTP-Redirect, else HTTP-POST.
const saml::Endpoint* BrowserEndpoint(const saml::IdpMetadata& idp) {
  const saml::Endpoint* endpoint = idp.SingleLogout(saml::kBindingRedirect);
  return endpoint ? endpoint : idp.SingleLogout(saml::kBindingPost);
}

}  // namespace

SamlUpstream::SamlUpstream(const UpstreamSettings& settings, std::string entity_id,
                           saml::IdpSigner& signer, http::HttpClient& http, const Clock& clock,
                           Random& random)
    : settings_(settings),
      idp_(*settings.saml_idp),
      entity_id_(std::move(entity_id)),
      signer_(signer),
      http_(http),
      clock_(clock),
      random_(random) {}

std::string SamlUpstream::Origin() const {
  return UriOrigin(idp_.SingleSignOn(saml::kBindingRedirect)->location).value_or("'none'");
}

Result<std::string> SamlUpstream::Metadata() {
  GH_ASSIGN_OR_RETURN(auto credentials, signer_.Announced());
  saml::SpMetadataInput input{entity_id_, AcsUrl(), SloUrl(), {}};
  for (const auto& credential : credentials)
    input.certificates_base64.push_back(credential->certificate_base64);
  return saml::BuildSpMetadata(input);
}

Result<http::Response> SamlUpstream::SignIn(const std::string& request_id,
                                            const std::string& relay_state,
                                            const web::AuthenticationDemand& demand) {
  const saml::Endpoint* sso = idp_.SingleSignOn(saml::kBindingRedirect);
  // Core §3.4.1: ForceAuthn is SAML's prompt=login; a max_age is honoured by asking afresh.
  bool force = demand.fresh || demand.max_age_seconds.has_value();
  auto request =
      saml::BuildAuthnRequest(request_id, entity_id_, sso->location, AcsUrl(), clock_.Now(), force);
  return saml::Deliver(std::move(request), true, saml::kBindingRedirect, sso->location, relay_state,
                       signer_);
}

Result<UpstreamIdentity> SamlUpstream::Finish(std::string_view response_xml,
                                              const std::string& request_id) {
  GH_ASSIGN_OR_RETURN(auto asserted, saml::ReadResponse(response_xml, idp_.signing_certificates,
                                                        {idp_.entity_id, entity_id_, AcsUrl(),
                                                         request_id, clock_.Now()}));
  UpstreamIdentity identity;
  identity.subject = asserted.subject.name_id;
  if (!asserted.subject.session_index.empty()) identity.sid = asserted.subject.session_index;
  identity.claims = nlohmann::json::object();
  // Multi-valued attributes map to their first value: a claim fills one field of a user.
  for (const auto& [name, value] : asserted.attributes)
    if (!identity.claims.contains(name)) identity.claims[name] = value;
  identity.claims["sub"] = identity.subject;
  // SAML has no email_verified: an operator who links a SAML upstream's people by email trusts
  // its email attribute (docs/FEDERATION.md).
  if (identity.claims.contains(settings_.email_claim)) identity.claims["email_verified"] = true;
  identity.saml = std::move(asserted.subject);
  identity.method.idp = settings_.id;
  identity.method.acr = asserted.authn_context_class;
  if (asserted.authn_context_class.find("Password") != std::string::npos)
    identity.method.amr = {"pwd"};
  return identity;
}

Result<std::optional<http::Response>> SamlUpstream::SignOut(const store::SamlSubject& subject,
                                                            const std::string& request_id,
                                                            const std::string& relay_state) {
  const saml::Endpoint* slo = BrowserEndpoint(idp_);
  if (!slo) return std::optional<http::Response>();
  // Any answer but a server error shows the endpoint is there (a bare GET is no SAML message).
  http::OutboundRequest probe;
  probe.method = "GET";
  probe.url = slo->location;
  probe.total_timeout = kProbeTimeout;
  GH_ASSIGN_OR_RETURN(http::OutboundResponse answer, rp::SendAndWait(http_, std::move(probe)));
  if (answer.status >= 500)
    return Error::Unavailable("the upstream answered HTTP " + std::to_string(answer.status));
  auto now = clock_.Now();
  auto request = saml::BuildLogoutRequest(request_id, entity_id_, slo->location, now,
                                          now + kLogoutRequestLifetime, subject, kReasonUser);
  GH_ASSIGN_OR_RETURN(auto response, saml::Deliver(std::move(request), true, slo->binding,
                                                   slo->location, relay_state, signer_));
  return std::optional(std::move(response));
}

Result<saml::SignedMessage> SamlUpstream::Authenticate(saml::InboundMessage inbound) const {
  return saml::ReadSignedBy(std::move(inbound), idp_.entity_id, idp_.signing_certificates);
}

Result<std::optional<http::Response>> SamlUpstream::Answer(
    const saml::LogoutRequest& request, bool soap, const std::optional<std::string>& relay_state,
    std::string_view status, std::string_view second_status) {
  const saml::Endpoint* endpoint =
      soap ? idp_.SingleLogout(saml::kBindingSoap) : BrowserEndpoint(idp_);
  if (!soap && !endpoint) return std::optional<http::Response>();
  std::string url = endpoint ? endpoint->ResponseUrl() : "";
  auto response = saml::BuildLogoutResponse("_" + random_.Token(24), entity_id_, url,
                                            request.header.id, clock_.Now(), status, second_status);
  GH_ASSIGN_OR_RETURN(auto delivered, saml::Deliver(std::move(response), false,
                                                    soap ? saml::kBindingSoap : endpoint->binding,
                                                    url, relay_state, signer_));
  return std::optional(std::move(delivered));
}

}  // namespace gh::federation
