// UserInfoEndpoint: GET and POST /userinfo (OpenID Connect Core §5.3), a protected resource that
// returns the end-user's claims for a bearer access token.
#pragma once

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

class UserInfoEndpoint {
 public:
  explicit UserInfoEndpoint(const ProviderContext& context) : context_(context) {}
  http::Response Handle(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
