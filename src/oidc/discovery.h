// OpenID Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414) and the paths of the
// endpoints it advertises.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace gh::oidc {

inline constexpr std::string_view kDiscoveryPath = "/.well-known/openid-configuration";
inline constexpr std::string_view kJwksPath = "/jwks";
inline constexpr std::string_view kAuthorizePath = "/authorize";
inline constexpr std::string_view kTokenPath = "/token";
inline constexpr std::string_view kUserInfoPath = "/userinfo";
inline constexpr std::string_view kRevocationPath = "/revoke";
inline constexpr std::string_view kIntrospectionPath = "/introspect";
inline constexpr std::string_view kEndSessionPath = "/logout";           // RP-Initiated Logout 1.0
inline constexpr std::string_view kCheckSessionPath = "/session/check";  // Session Management 1.0

// The metadata document for `issuer` (an https URL without a trailing slash).
nlohmann::json DiscoveryDocument(std::string_view issuer);

}  // namespace gh::oidc
