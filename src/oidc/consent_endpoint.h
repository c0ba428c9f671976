// ConsentEndpoint: GET and POST /consent, where the signed-in person allows or refuses a
// client's request for offline_access (OpenID Connect Core §11). The authorize endpoint sends the
// browser here with the authorization request's parameters; the answer is remembered per user
// and client (revocable with `gatehouse consent revoke`), and the browser continues with the
// request — without offline_access when refused.
#pragma once

#include <string_view>

#include "http/message.h"
#include "oidc/provider_context.h"

namespace gh::oidc {

inline constexpr std::string_view kConsentPath = "/consent";

class ConsentEndpoint {
 public:
  explicit ConsentEndpoint(const ProviderContext& context) : context_(context) {}

  http::Response Show(const http::Request& request) const;
  http::Response Submit(const http::Request& request) const;

 private:
  ProviderContext context_;
};

}  // namespace gh::oidc
