// AuthorizeEndpoint: GET and POST /authorize (RFC 6749 §3.1, OpenID Connect Core §3.1.2). Sends
// the browser to the login page when the session does not satisfy the request, and otherwise
// issues an authorization code.
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

// Registered clients are first-party: signing in needs no consent page. offline_access does
// (OpenID Connect Core §11): without a remembered consent, or with prompt=consent, the browser
// goes to the consent page first (see ConsentEndpoint). prompt=select_account is satisfied as
// is: a browser holds one IdP session.
class AuthorizeEndpoint {
 public:
  explicit AuthorizeEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
