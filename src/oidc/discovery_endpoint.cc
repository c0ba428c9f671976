#include "oidc/discovery_endpoint.h"

#include <nlohmann/json.hpp>

#include "oidc/discovery.h"

namespace gh::oidc {
namespace {

http::Response PublicJson(const nlohmann::json& body) {
  auto response = http::Response::Json(200, body.dump());
  response.headers.Set("Access-Control-Allow-Origin", "*");
  return response;
}

}  // namespace

http::Response DiscoveryEndpoint::Configuration(const http::Request&) const {
  return PublicJson(DiscoveryDocument(context_.settings.issuer));
}

http::Response DiscoveryEndpoint::Jwks(const http::Request&) const {
  return PublicJson(context_.keys.Jwks());
}

}  // namespace gh::oidc
