// The data directory holds the database, and the database holds the signing keys' private
// parts: both are kept private to the user Gatehouse runs as, whatever the umask.
#pragma once

#include <memory>
#include <optional>

#include "core/result.h"
#include "crypto/key_sealer.h"
#include "idp/config.h"
#include "store/store.h"

namespace gh::idp {

// Creates the data directory (0700) if needed and opens its database, creating files 0600, with
// the [store] settings. Refuses (kFailedPrecondition, naming the file and the fix) a directory or
// database that other users may read or write: a key store anyone can copy is not one to sign
// with. The one place the server and the CLI get their store from.
Result<std::unique_ptr<store::Store>> OpenPrivateStore(const Config& config);

// The sealer for private keys at rest, when keys.encryption_key_file or keys.encryption_key is
// set (the file, too, must not be readable by others); nullopt when neither is.
Result<std::optional<crypto::KeySealer>> KeySealerFor(const Config& config);

}  // namespace gh::idp
