// AuthorizeEndpoint: GET and POST /authorize (RFC 6749 §3.1, OpenID Connect Core §3.1.2). Sends
// the browser to the login page when the session does not satisfy the request, and otherwise
// issues an authorization code.
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

// prompt=consent and prompt=select_account are satisfied without a page: every registered client
// is first-party and consented to by its registration, and a browser holds one IdP session.
class AuthorizeEndpoint {
 public:
  explicit AuthorizeEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
