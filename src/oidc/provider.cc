#include "oidc/provider.h"

#include "oidc/discovery.h"

namespace gh::oidc {

Provider::Provider(ProviderSettings settings, store::Store& store, keys::KeyRing& keys,
                   session::SessionAuthority& sessions, Clock& clock, Random& random,
                   const web::Csrf& csrf, const signout::SignOutFlow& sign_out)
    : settings_(std::move(settings)),
      clients_(store, clock, settings_.client_cache_ttl),
      context_{settings_, store, clients_, keys, sessions, clock, random, csrf, sign_out},
      discovery_(context_),
      authorize_(context_),
      token_(context_),
      userinfo_(context_),
      revocation_(context_),
      introspection_(context_),
      logout_(context_),
      session_check_(context_),
      consent_(context_),
      cors_(store, clock) {}

void Provider::Register(http::Router& router) {
  auto route = [&](const char* method, std::string_view path, auto handler) {
    router.Add(method, std::string(path), handler);
  };
  // The endpoints a browser-based client calls from its own origin (see Cors).
  auto cross_origin = [&](std::string_view path, std::initializer_list<const char*> methods,
                          const http::Handler& handler) {
    std::string allowed;
    for (const char* method : methods) {
      route(method, path, cors_.Allow(handler));
      allowed += (allowed.empty() ? "" : ", ") + std::string(method);
    }
    route("OPTIONS", path,
          [this, allowed](const http::Request& r) { return cors_.Preflight(r, allowed); });
  };
  // Prepared bytes that never wait on the store: served on the I/O threads, without the hop to a
  // worker and back.
  router.AddInline("GET", std::string(kDiscoveryPath),
                   [this](const http::Request& r) { return discovery_.Configuration(r); });
  router.AddInline("GET", std::string(kJwksPath),
                   [this](const http::Request& r) { return discovery_.Jwks(r); });
  for (std::string_view path : {kDiscoveryPath, kJwksPath}) {
    router.AddInline("OPTIONS", std::string(path),
                     [this](const http::Request& r) { return discovery_.Preflight(r); });
  }
  cross_origin(kUserInfoPath, {"GET", "POST"},
               [this](const http::Request& r) { return userinfo_.Handle(r); });
  cross_origin(kTokenPath, {"POST"}, [this](const http::Request& r) { return token_.Handle(r); });
  for (const char* method : {"GET", "POST"}) {
    route(method, kAuthorizePath, [this](const http::Request& r) { return authorize_.Handle(r); });
    route(method, kEndSessionPath,
          [this](const http::Request& r) { return logout_.EndSession(r); });
  }
  route("GET", kConsentPath, [this](const http::Request& r) { return consent_.Show(r); });
  route("POST", kConsentPath, [this](const http::Request& r) { return consent_.Submit(r); });
  route("POST", kRevocationPath, [this](const http::Request& r) { return revocation_.Handle(r); });
  route("POST", kIntrospectionPath,
        [this](const http::Request& r) { return introspection_.Handle(r); });
  router.AddInline("GET", std::string(kCheckSessionPath),
                   [this](const http::Request& r) { return session_check_.Frame(r); });
  route("POST", kCheckSessionStatePath,
        [this](const http::Request& r) { return session_check_.State(r); });
}

}  // namespace gh::oidc
