#include "federation/oidc_upstream.h"

#include "oidc/pkce.h"
#include "rp/blocking_http.h"
#include "rp/code_exchange.h"

namespace gh::federation {
namespace {

constexpr std::chrono::milliseconds kUpstreamTimeout{5000};
// The liveness check before sending a browser away to sign out: short, a person is waiting.
constexpr std::chrono::milliseconds kProbeTimeout{2000};

}  // namespace

OidcUpstream::OidcUpstream(const UpstreamSettings& settings, std::string callback_uri,
                           http::HttpClient& http, const Clock& clock)
    : settings_(settings),
      callback_uri_(std::move(callback_uri)),
      http_(http),
      provider_(settings.issuer, http, clock, {.http_timeout = kUpstreamTimeout}),
      validator_({.issuer = settings.issuer, .client_id = settings.client_id}, provider_, clock) {}

Result<std::string> OidcUpstream::AuthorizationUrl(const PendingSignIn& pending,
                                                   const web::AuthenticationDemand& demand) {
  GH_ASSIGN_OR_RETURN(rp::ProviderEndpoints endpoints, provider_.Endpoints());
  Params params{{"response_type", "code"},
                {"client_id", settings_.client_id},
                {"redirect_uri", callback_uri_},
                {"scope", settings_.scope},
                {"state", pending.state},
                {"nonce", pending.nonce},
                {"code_challenge", oidc::S256Challenge(pending.verifier)},
                {"code_challenge_method", std::string(oidc::kPkceMethodS256)}};
  // The upstream authenticates the person, so it is the one to honour these.
  const Params demanded = demand.ToParams();
  for (const auto& [name, value] : demanded.items()) params.Add(name, value);
  return AppendQuery(endpoints.authorization_endpoint, params);
}

Result<UpstreamIdentity> OidcUpstream::Finish(const Params& response,
                                              const PendingSignIn& pending) {
  if (auto repeated = response.RepeatedName())
    return Error::InvalidArgument("the authorization response repeats " + *repeated);
  GH_ASSIGN_OR_RETURN(rp::ProviderEndpoints endpoints, provider_.Endpoints());
  // RFC 9207 §2.4: a response naming another issuer is a mix-up attack; an OP that advertises
  // the parameter must always send it.
  auto iss = response.Get("iss");
  if (iss && *iss != settings_.issuer)
    return Error::InvalidArgument("the authorization response names another issuer");
  if (!iss && endpoints.authorization_response_iss_parameter_supported)
    return Error::InvalidArgument("the authorization response lacks iss (RFC 9207)");
  if (auto error = response.Get("error"))
    return Error::PermissionDenied("the upstream answered " + *error);
  auto code = response.Get("code");
  if (!code) return Error::InvalidArgument("the authorization response has no code");
  GH_ASSIGN_OR_RETURN(
      rp::TokenReply tokens,
      rp::ExchangeCode(http_, {settings_.client_id, settings_.client_secret}, endpoints,
                       callback_uri_, *code, pending.verifier, kUpstreamTimeout));
  GH_ASSIGN_OR_RETURN(
      rp::ValidatedIdToken id_token,
      validator_.ValidateIdToken(tokens.id_token, {pending.nonce, tokens.access_token}));

  UpstreamIdentity identity;
  identity.subject = id_token.sub;
  identity.sid = id_token.sid;
  identity.id_token = std::move(tokens.id_token);
  identity.claims = nlohmann::json::parse(id_token.claims_json);
  identity.method.idp = settings_.id;
  if (auto amr = identity.claims.find("amr"); amr != identity.claims.end() && amr->is_array())
    for (const auto& value : *amr)
      if (value.is_string()) identity.method.amr.push_back(value.get<std::string>());
  if (auto acr = identity.claims.find("acr"); acr != identity.claims.end() && acr->is_string())
    identity.method.acr = acr->get<std::string>();
  return identity;
}

Result<std::optional<std::string>> OidcUpstream::EndSessionUrl(const std::string& id_token,
                                                               const std::string& return_uri,
                                                               const std::string& state) {
  GH_ASSIGN_OR_RETURN(rp::ProviderEndpoints endpoints, provider_.Endpoints());
  if (!endpoints.end_session_endpoint) return std::optional<std::string>();
  // Discovery is cached from the sign-in, hours ago perhaps: ask again whether the upstream is
  // there before handing it the browser.
  http::OutboundRequest probe;
  probe.method = "GET";
  probe.url = settings_.issuer + "/.well-known/openid-configuration";
  probe.total_timeout = kProbeTimeout;
  GH_ASSIGN_OR_RETURN(http::OutboundResponse answer, rp::SendAndWait(http_, std::move(probe)));
  if (answer.status != 200)
    return Error::Unavailable("the upstream answered HTTP " + std::to_string(answer.status));
  return std::optional(
      AppendQuery(*endpoints.end_session_endpoint, {{"id_token_hint", id_token},
                                                    {"client_id", settings_.client_id},
                                                    {"post_logout_redirect_uri", return_uri},
                                                    {"state", state}}));
}

Result<rp::ValidatedLogoutToken> OidcUpstream::ValidateLogoutToken(std::string_view token) const {
  return validator_.ValidateLogoutToken(token);
}

}  // namespace gh::federation
