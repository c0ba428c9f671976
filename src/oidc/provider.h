// Provider: the OpenID Connect Provider — its endpoints, wired to the store, key ring, session
// authority, clock and randomness they share.
#pragma once

#include "core/clock.h"
#include "core/random.h"
#include "http/router.h"
#include "keys/key_ring.h"
#include "oidc/authorize_endpoint.h"
#include "oidc/consent_endpoint.h"
#include "oidc/cors.h"
#include "oidc/discovery_endpoint.h"
#include "oidc/logout_endpoint.h"
#include "oidc/provider_context.h"
#include "oidc/session_check_endpoint.h"
#include "oidc/token_endpoint.h"
#include "oidc/token_management_endpoints.h"
#include "oidc/userinfo_endpoint.h"
#include "session/session_authority.h"
#include "store/store.h"

namespace gh::oidc {

class Provider {
 public:
  Provider(ProviderSettings settings, store::Store& store, keys::KeyRing& keys,
           session::SessionAuthority& sessions, Clock& clock, Random& random, const web::Csrf& csrf,
           const signout::SignOutFlow& sign_out);
  Provider(const Provider&) = delete;
  Provider& operator=(const Provider&) = delete;

  // Adds the provider's routes. The Provider must outlive `router`'s use.
  void Register(http::Router& router);

 private:
  ProviderSettings settings_;
  store::ClientCache clients_;
  ProviderContext context_;
  DiscoveryEndpoint discovery_;
  AuthorizeEndpoint authorize_;
  TokenEndpoint token_;
  UserInfoEndpoint userinfo_;
  RevocationEndpoint revocation_;
  IntrospectionEndpoint introspection_;
  LogoutEndpoint logout_;
  SessionCheckEndpoint session_check_;
  ConsentEndpoint consent_;
  Cors cors_;
};

}  // namespace gh::oidc
