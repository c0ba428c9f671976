// OidcUpstream: Gatehouse as the relying party of an upstream OpenID Provider. Built from the
// relying-party library (rp/): its discovery and JWKS cache, its code exchange and its ID-token
// and logout-token validation, so the upstream is held to exactly the rules any Gatehouse app
// holds Gatehouse to.
//
// The methods that reach the upstream block: call them from the worker pool.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/params.h"
#include "core/result.h"
#include "federation/upstream_settings.h"
#include "http/client.h"
#include "rp/provider_metadata.h"
#include "rp/token_validation.h"
#include "store/records.h"
#include "web/login_pages.h"

namespace gh::federation {

// The secrets of one sign-in, kept server-side between the redirect and the callback.
struct PendingSignIn {
  std::string state;
  std::string nonce;
  std::string verifier;  // PKCE (RFC 7636)
};

// What the upstream vouched for, its ID token (or SAML assertion) validated.
struct UpstreamIdentity {
  std::string subject;                     // OIDC sub; SAML NameID value
  std::optional<std::string> sid;          // the upstream session (OIDC sid, SAML SessionIndex)
  std::string id_token;                    // kept for id_token_hint at sign-out
  std::optional<store::SamlSubject> saml;  // the NameID exactly, for the LogoutRequest
  nlohmann::json claims;
  store::SignInMethod method;  // idp = the upstream's id; its amr and acr when it sent them
};

class OidcUpstream {
 public:
  OidcUpstream(const UpstreamSettings& settings, std::string callback_uri, http::HttpClient& http,
               const Clock& clock);

  const std::string& issuer() const { return settings_.issuer; }

  // The authorization request (code flow, PKCE S256, state, nonce) to send the browser to.
  // kUnavailable when the upstream's discovery document cannot be fetched.
  Result<std::string> AuthorizationUrl(const PendingSignIn& pending,
                                       const web::AuthenticationDemand& demand);
  // Completes the sign-in from the authorization response: the RFC 9207 issuer check, the code
  // exchange, and every ID-token rule (OpenID Connect Core §3.1.3.7). kPermissionDenied when the
  // upstream reported an error (`error` parameter), with it in the message.
  Result<UpstreamIdentity> Finish(const Params& response, const PendingSignIn& pending);

  // The upstream's end_session_endpoint with id_token_hint, post_logout_redirect_uri and state
  // (RP-Initiated Logout 1.0 §2); nullopt when it has none. kUnavailable when the upstream does
  // not answer right now, so the person is told instead of being sent to a dead server.
  Result<std::optional<std::string>> EndSessionUrl(const std::string& id_token,
                                                   const std::string& return_uri,
                                                   const std::string& state);

  // Back-Channel Logout 1.0 §2.6 (jti replay is the caller's: it needs the store).
  Result<rp::ValidatedLogoutToken> ValidateLogoutToken(std::string_view token) const;

 private:
  const UpstreamSettings& settings_;
  const std::string callback_uri_;
  http::HttpClient& http_;
  rp::ProviderMetadata provider_;
  rp::TokenValidator validator_;
};

}  // namespace gh::federation
