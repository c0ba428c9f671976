// ProviderSettings and ProviderContext: the configuration and collaborators the OpenID Provider's
// endpoints share.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "keys/key_ring.h"
#include "session/session_authority.h"
#include "signout/sign_out_flow.h"
#include "store/client_cache.h"
#include "store/store.h"
#include "web/csrf.h"

namespace gh::oidc {

struct ProviderSettings {
  std::string issuer;  // e.g. "https://id.example.com"; endpoint URLs are issuer + path
  Seconds code_ttl{60};
  Seconds access_token_ttl{3600};
  Seconds id_token_ttl{3600};
  Seconds refresh_token_ttl{30 * 24 * 3600};
  // Seals authorization codes and opaque access tokens (authorization_code.h,
  // sealed_access_token.h): crypto::kAeadKeyBytes, the same on every node of a deployment.
  std::string sealing_key;
  // How long sign-in (authorization requests, client authentication) may go on using a client
  // registration it read, so that a sign-in flow does not read the same one twice: a change made
  // by the CLI, another process, takes effect within this.
  Seconds client_cache_ttl{2};
};

// The references every endpoint works through; all outlive the Provider.
struct ProviderContext {
  const ProviderSettings& settings;
  store::Store& store;
  store::ClientCache& clients;  // the registrations sign-in reads, as client_cache_ttl says
  keys::KeyRing& keys;
  session::SessionAuthority& sessions;
  Clock& clock;
  Random& random;
  const web::Csrf& csrf;
  const signout::SignOutFlow& sign_out;
};

}  // namespace gh::oidc
