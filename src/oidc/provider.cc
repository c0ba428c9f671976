#include "oidc/provider.h"

#include "oidc/discovery.h"
#include "web/logout_pages.h"

namespace gh::oidc {

Provider::Provider(ProviderSettings settings, store::Store& store, keys::KeyRing& keys,
                   session::SessionAuthority& sessions, Clock& clock, Random& random)
    : settings_(std::move(settings)),
      context_{settings_, store, keys, sessions, clock, random},
      discovery_(context_),
      authorize_(context_),
      token_(context_),
      userinfo_(context_),
      revocation_(context_),
      introspection_(context_),
      logout_(context_),
      session_check_(context_) {}

void Provider::Register(http::Router& router) {
  auto route = [&](const char* method, std::string_view path, auto handler) {
    router.Add(method, std::string(path), handler);
  };
  route("GET", kDiscoveryPath,
        [this](const http::Request& r) { return discovery_.Configuration(r); });
  route("GET", kJwksPath, [this](const http::Request& r) { return discovery_.Jwks(r); });
  for (const char* method : {"GET", "POST"}) {
    route(method, kAuthorizePath, [this](const http::Request& r) { return authorize_.Handle(r); });
    route(method, kUserInfoPath, [this](const http::Request& r) { return userinfo_.Handle(r); });
    route(method, kEndSessionPath,
          [this](const http::Request& r) { return logout_.EndSession(r); });
  }
  route("POST", kTokenPath, [this](const http::Request& r) { return token_.Handle(r); });
  route("POST", kRevocationPath, [this](const http::Request& r) { return revocation_.Handle(r); });
  route("POST", kIntrospectionPath,
        [this](const http::Request& r) { return introspection_.Handle(r); });
  route("POST", web::kLogoutConfirmPath,
        [this](const http::Request& r) { return logout_.Confirm(r); });
  route("GET", web::kLogoutStatusPath,
        [this](const http::Request& r) { return logout_.Status(r); });
  route("GET", kCheckSessionPath,
        [this](const http::Request& r) { return session_check_.Frame(r); });
  route("POST", kCheckSessionStatePath,
        [this](const http::Request& r) { return session_check_.State(r); });
}

}  // namespace gh::oidc
