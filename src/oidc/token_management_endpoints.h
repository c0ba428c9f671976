// RevocationEndpoint (POST /revoke, RFC 7009) and IntrospectionEndpoint (POST /introspect,
// RFC 7662).
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

// Any registered client, public ones by client_id, may revoke its own tokens. A token issued to
// another client is refused with unauthorized_client and left alone (RFC 7009 §2.1: "the request
// is refused and the client is informed of the error"); an unknown token is answered 200 (§2.2).
// Revoking a refresh token revokes its whole grant, including the access tokens (§2.1).
class RevocationEndpoint {
 public:
  explicit RevocationEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  ProviderContext context_;
};

// Only confidential clients (resource servers) may introspect, and they may introspect any
// client's tokens: that is what a resource server needs (RFC 7662 §2.1).
class IntrospectionEndpoint {
 public:
  explicit IntrospectionEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
