#include "oidc/discovery_endpoint.h"

#include <nlohmann/json.hpp>

#include "oidc/discovery.h"

namespace gh::oidc {
namespace {

// Both change rarely; caching them spares relying parties a round trip per validation. The JWKS
// is kept shorter because a rotation publishes a new key that verifiers must find (and
// relying parties refetch on an unknown kid anyway).
constexpr std::string_view kDiscoveryCacheControl = "public, max-age=3600";
constexpr std::string_view kJwksCacheControl = "public, max-age=300";

http::Response PublicJson(const nlohmann::json& body, std::string_view cache_control) {
  auto response = http::Response::Json(200, body.dump());
  response.headers.Set("Cache-Control", std::string(cache_control));
  return response;
}

}  // namespace

http::Response DiscoveryEndpoint::Configuration(const http::Request&) const {
  return PublicJson(DiscoveryDocument(context_.settings.issuer), kDiscoveryCacheControl);
}

http::Response DiscoveryEndpoint::Jwks(const http::Request&) const {
  return PublicJson(context_.keys.Jwks(), kJwksCacheControl);
}

}  // namespace gh::oidc
