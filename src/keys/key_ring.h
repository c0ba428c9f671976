// KeyRing: the IdP's signing keys. Generates an RS256 and an ES256 key on first start, persists
// them in the KeyStore, rotates on request, and keeps a retired key in the JWKS until every token
// it signed has expired. Thread-safe: Reload() swaps a snapshot readers keep using.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/key_sealer.h"
#include "crypto/signing_key.h"
#include "store/store.h"

namespace gh::keys {

class KeyRing {
 public:
  // `publish_after_retire`: how long a retired key stays in the JWKS; set it to at least the
  // longest token lifetime. With a `sealer`, private keys are stored encrypted, and keys found
  // in plaintext (from before encryption was turned on) are encrypted in place by Reload().
  KeyRing(store::KeyStore& store, Clock& clock, Seconds publish_after_retire,
          const crypto::KeySealer* sealer = nullptr);

  // Reads the keys from the store, generating an active key for each algorithm that has none.
  // Call at start-up and periodically so a `keys rotate` from the CLI reaches a running server.
  Result<void> Reload();

  // The key that signs now for `alg`. REQUIRES: a successful Reload().
  std::shared_ptr<const crypto::SigningKey> Active(crypto::JwsAlg alg) const;
  // The active key for `alg` first, then any key a rotation announced to succeed it: what SAML
  // metadata lists, so SPs that pin certificates trust the next key before it signs.
  std::vector<std::shared_ptr<const crypto::SigningKey>> Announced(crypto::JwsAlg alg) const;
  // {"keys":[...]}, serialized: every active key and every retired key not yet past its
  // unpublish time. Prepared once per reload, so serving it costs a copy.
  std::string Jwks() const;
  // The published keys, for verifying tokens we issued (id_token_hint).
  std::vector<crypto::VerificationKey> VerificationKeys() const;

  // Creates new keys, published at once, that take over signing `announce_ahead` from now; the
  // active keys sign until then and stay published for `publish_after_retire` after. A key still
  // waiting from an earlier rotation is withdrawn. Reloads; returns when the new keys sign.
  // Reloads pick the switch up: a running server within its reload interval.
  Result<TimePoint> Rotate(Seconds announce_ahead = Seconds(0));

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;
  // Reload() with update_mutex_ already held, so Rotate() can reload inside its own update.
  Result<void> ReloadLocked();

  // The PEM of a stored key, opened when sealed.
  Result<std::string> PrivatePem(const store::SigningKeyRecord& record) const;

  store::KeyStore& store_;
  Clock& clock_;
  Seconds publish_after_retire_;
  const crypto::KeySealer* sealer_;
  // Serializes Reload() and Rotate(), so one process never generates two keys for an algorithm.
  // Separate from mutex_ so readers are not held up while a key is generated.
  std::mutex update_mutex_;
  mutable std::mutex mutex_;  // guards snapshot_
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace gh::keys
