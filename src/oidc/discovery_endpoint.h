// DiscoveryEndpoint: GET /.well-known/openid-configuration (OpenID Connect Discovery §4) and
// GET /jwks (RFC 7517 §5), both public and readable cross-origin by any page. Both serve bytes
// prepared in advance (the configuration at start, the JWKS per key reload) and never wait on the
// store, so the server runs them on its I/O threads (http::Router::AddInline).
#pragma once

#include <string>

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

class DiscoveryEndpoint {
 public:
  explicit DiscoveryEndpoint(const ProviderContext& context);
  http::Response Configuration(const http::Request& request) const;
  http::Response Jwks(const http::Request& request) const;
  // The CORS preflight for either document.
  http::Response Preflight(const http::Request& request) const;

 private:
  ProviderContext context_;
  const std::string configuration_;
};

}  // namespace gh::oidc
