#include "keys/sealing_key.h"

#include "crypto/aead.h"

namespace gh::keys {
namespace {

// Its name in the store, and what a sealed copy is bound to.
constexpr std::string_view kName = "sealing";

}  // namespace

Result<std::string> LoadSealingKey(store::ServerSecretStore& store, const crypto::KeySealer* sealer,
                                   Random& random, Clock& clock) {
  std::string fresh = random.Token(crypto::kAeadKeyBytes);
  GH_ASSIGN_OR_RETURN(
      auto stored,
      store.ServerSecret(kName, sealer ? sealer->Seal(fresh, kName) : fresh, clock.Now()));
  if (crypto::KeySealer::IsSealed(stored)) {
    if (!sealer)
      return Error::FailedPrecondition(
          "the sealing key is encrypted: set keys.encryption_key_file or keys.encryption_key");
    auto opened = sealer->Open(stored, kName);
    if (!opened.ok())
      return Error::FailedPrecondition(
          "the sealing key does not decrypt with the configured encryption key");
    stored = std::move(*opened);
  }
  auto key = crypto::ParseAeadKey(stored);
  if (!key) return Error::Internal("the stored sealing key is not 32 bytes");
  return std::move(*key);
}

}  // namespace gh::keys
