// The key Gatehouse seals its self-contained secrets under — authorization codes
// (oidc/authorization_code.h) and opaque access tokens (oidc/sealed_access_token.h):
// made on a deployment's first start and kept in the store, so every node and every restart reads
// what was issued before. Whoever holds it can make codes the token endpoint redeems and tokens
// introspection accepts, so it is stored sealed by the operator's key-encryption key when one is
// configured, like the signing keys.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "core/result.h"
#include "crypto/key_sealer.h"
#include "store/store.h"

namespace gh::keys {

// The key's crypto::kAeadKeyBytes raw bytes. kFailedPrecondition when it was stored sealed and
// `sealer` is null or another key.
Result<std::string> LoadSealingKey(store::ServerSecretStore& store, const crypto::KeySealer* sealer,
                                   Random& random, Clock& clock);

}  // namespace gh::keys
