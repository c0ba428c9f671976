// What the upstream round trips of every protocol share, inside federation/: the single-use
// state a round trip is stored under, its payload, and the SAML request IDs derived from it.
// Not for use outside the folder.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "crypto/digest.h"
#include "federation/federation.h"
#include "federation/oidc_upstream.h"
#include "federation/saml_upstream.h"
#include "store/records.h"

namespace gh::federation {

// How long a person may take at the upstream, to sign in or to sign out.
inline constexpr Seconds kRoundTripLifetime{600};
// Ties a sign-in to the browser that started it (login CSRF, RFC 9700 §4.7), as rp/ does.
inline constexpr std::string_view kBindingCookie = "gh_upstream";
// UpstreamRequestRecord payload kinds.
inline constexpr std::string_view kSignIn = "signin";
inline constexpr std::string_view kSignOut = "signout";

inline std::string Hash(std::string_view secret) { return crypto::Sha256Base64Url(secret); }

// The ID of the SAML request that travels with RelayState `state`: derived from it, so the
// answer's InResponseTo is checked against the round trip without storing anything more.
inline std::string SamlRequestId(std::string_view kind, std::string_view state) {
  return "_" + Hash(std::string(kind) + ":" + std::string(state));
}

inline std::string Text(const nlohmann::json& json, const char* name) {
  auto it = json.find(name);
  return it != json.end() && it->is_string() ? it->get<std::string>() : "";
}

// Where a sign-out goes once the upstream leg is over: the application's post-logout address.
inline std::optional<std::string> ContinueTo(const nlohmann::json& payload) {
  if (!payload.contains("continue_to")) return std::nullopt;
  return Text(payload, "continue_to");
}

inline nlohmann::json Payload(const store::UpstreamRequestRecord& record) {
  auto json = nlohmann::json::parse(record.payload, nullptr, /*allow_exceptions=*/false);
  return json.is_object() ? json : nlohmann::json::object();
}

inline std::string RetryMessage(const UpstreamSettings& settings) {
  return "Signing in with " + settings.display_name + " did not succeed. Please try again.";
}

// Exactly one of `oidc` and `saml`, as the settings' protocol says.
struct Federation::Upstream {
  UpstreamSettings settings;
  std::unique_ptr<OidcUpstream> oidc;
  std::unique_ptr<SamlUpstream> saml;
};

}  // namespace gh::federation
