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

// Public documents carry no credentials and say nothing per origin: any page may read them, as
// Discovery §4 and every browser-based client library expect, without asking the store which
// origins a client registered.
http::Response PublicJson(std::string body, std::string_view cache_control) {
  auto response = http::Response::Json(200, std::move(body));
  response.headers.Set("Cache-Control", std::string(cache_control));
  response.headers.Set("Access-Control-Allow-Origin", "*");
  return response;
}

}  // namespace

DiscoveryEndpoint::DiscoveryEndpoint(const ProviderContext& context)
    : context_(context), configuration_(DiscoveryDocument(context.settings.issuer).dump()) {}

http::Response DiscoveryEndpoint::Configuration(const http::Request&) const {
  return PublicJson(configuration_, kDiscoveryCacheControl);
}

http::Response DiscoveryEndpoint::Jwks(const http::Request&) const {
  return PublicJson(context_.keys.Jwks(), kJwksCacheControl);
}

http::Response DiscoveryEndpoint::Preflight(const http::Request&) const {
  http::Response response;
  response.status = 204;
  response.headers.Set("Access-Control-Allow-Origin", "*");
  response.headers.Set("Access-Control-Allow-Methods", "GET");
  response.headers.Set("Access-Control-Max-Age", "86400");
  return response;
}

}  // namespace gh::oidc
