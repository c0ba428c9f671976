#include "oidc/discovery.h"

#include <nlohmann/json.hpp>
#include <string>

#include "oidc/grant_types.h"
#include "oidc/scope.h"
#include "oidc/user_claims.h"

namespace gh::oidc {

nlohmann::json DiscoveryDocument(std::string_view issuer) {
  const std::string base(issuer);
  auto url = [&](std::string_view path) { return base + std::string(path); };
  const nlohmann::json client_auth = {"client_secret_basic", "client_secret_post", "none"};
  nlohmann::json doc = {
      {"issuer", base},
      {"authorization_endpoint", url(kAuthorizePath)},
      {"token_endpoint", url(kTokenPath)},
      {"userinfo_endpoint", url(kUserInfoPath)},
      {"jwks_uri", url(kJwksPath)},
      {"revocation_endpoint", url(kRevocationPath)},
      {"introspection_endpoint", url(kIntrospectionPath)},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query", "form_post"}},
      {"grant_types_supported", kGrantTypes},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256", "ES256"}},
      {"token_endpoint_auth_methods_supported", client_auth},
      // Public clients may revoke their own tokens by client_id (RFC 7009 §2.1).
      {"revocation_endpoint_auth_methods_supported", client_auth},
      // Introspection reveals token metadata, so only confidential clients may ask (RFC 7662 §4).
      {"introspection_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", SupportedScopes()},
      {"claims_supported", SupportedClaims()},
      {"prompt_values_supported", {"none", "login", "consent", "select_account"}},
      {"authorization_response_iss_parameter_supported", true},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},
      {"claims_parameter_supported", false},
  };
  // RP-Initiated Logout 1.0 §2.1, Front-Channel Logout 1.0 §3, Back-Channel Logout 1.0 §2.1 and
  // Session Management 1.0 §3.3. The *_session_supported flags promise `sid` in ID tokens and in
  // the logout messages.
  doc["end_session_endpoint"] = url(kEndSessionPath);
  doc["frontchannel_logout_supported"] = true;
  doc["frontchannel_logout_session_supported"] = true;
  doc["backchannel_logout_supported"] = true;
  doc["backchannel_logout_session_supported"] = true;
  doc["check_session_iframe"] = url(kCheckSessionPath);
  return doc;
}

}  // namespace gh::oidc
