// LogoutEndpoint: RP-Initiated Logout 1.0 at /logout (GET and POST). It verifies the request and
// the post_logout_redirect_uri, then ends the session through the SessionAuthority — or first asks
// the person when the request cannot be tied to them — and hands the ended session to the
// protocol-neutral SignOutFlow for the signed-out page. Ending the session only enqueues
// back-channel notifications, so no response waits for a relying party.
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

class LogoutEndpoint {
 public:
  explicit LogoutEndpoint(const ProviderContext& context)
      : context_(context), sign_out_(context.sign_out) {}

  // GET/POST /logout: verifies the request, records a logout context, and signs out at once when
  // the id_token_hint belongs to this browser's session, or asks the person otherwise.
  http::Response EndSession(const http::Request& request) const;

 private:
  ProviderContext context_;
  const signout::SignOutFlow& sign_out_;
};

}  // namespace gh::oidc
