// DiscoveryEndpoint: GET /.well-known/openid-configuration (OpenID Connect Discovery §4) and
// GET /jwks (RFC 7517 §5), both public and readable cross-origin by browser-based clients.
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

class DiscoveryEndpoint {
 public:
  explicit DiscoveryEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Configuration(const http::Request& request) const;
  http::Response Jwks(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
