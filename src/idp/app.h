// App: the composition root — the only place that knows every concrete type. Builds the IdP from
// a Config (store, keys, sessions, protocol endpoints, HTTP server) and serves it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "idp/config.h"
#include "keys/key_ring.h"
#include "session/session_authority.h"

namespace gh::idp {

// The session lifetimes and sign-out policy `config` asks for. The server and the CLI's admin
// commands both build their SessionAuthority with it, so a CLI revoke ends sessions by the same
// rules as the server.
session::SessionPolicy SessionPolicyFor(const Config& config);

// The sign-in protocols whose participants a sign-out notifies. The server and the CLI register
// the same ones, so `session revoke` notifies every application a sign-out in the server would.
class ParticipantProtocols {
 public:
  ParticipantProtocols(const std::string& issuer, store::Store& store, keys::KeyRing& keys,
                       Clock& clock, Random& random);
  ~ParticipantProtocols();
  void RegisterWith(session::SessionAuthority& sessions);

  // The SAML parts the server's endpoints and outbox sender share with the protocol.
  struct Saml;
  Saml& saml() { return *saml_; }

 private:
  std::unique_ptr<Saml> saml_;
  std::vector<std::unique_ptr<session::ParticipantProtocol>> protocols_;
};

// How long a retired signing key stays in the JWKS: twice the longest token lifetime, so every
// token it signed can still be verified.
Seconds KeyPublishAfterRetire(const Config& config);

class App {
 public:
  // Opens the store (creating data_dir), loads or creates the signing keys and binds the
  // listener; the issuer is derived from the bound address when the config leaves it empty.
  static Result<std::unique_ptr<App>> Create(const Config& config);
  ~App();

  std::uint16_t port() const;
  const std::string& issuer() const;
  // Serves until Stop() or, with `handle_signals`, SIGINT/SIGTERM.
  void Run(bool handle_signals);
  void Stop();

 private:
  struct Parts;
  explicit App(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace gh::idp
