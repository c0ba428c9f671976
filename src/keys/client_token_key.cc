#include "keys/client_token_key.h"

#include "crypto/aead.h"

namespace gh::keys {
namespace {

// Its name in the store, and what a sealed copy is bound to.
constexpr std::string_view kName = "client-token";

}  // namespace

Result<std::string> LoadClientTokenKey(store::ServerSecretStore& store,
                                       const crypto::KeySealer* sealer, Random& random,
                                       Clock& clock) {
  std::string fresh = random.Token(crypto::kAeadKeyBytes);
  GH_ASSIGN_OR_RETURN(
      auto stored,
      store.ServerSecret(kName, sealer ? sealer->Seal(fresh, kName) : fresh, clock.Now()));
  if (crypto::KeySealer::IsSealed(stored)) {
    if (!sealer)
      return Error::FailedPrecondition(
          "the client-token key is encrypted: set keys.encryption_key_file or keys.encryption_key");
    auto opened = sealer->Open(stored, kName);
    if (!opened.ok())
      return Error::FailedPrecondition(
          "the client-token key does not decrypt with the configured encryption key");
    stored = std::move(*opened);
  }
  auto key = crypto::ParseAeadKey(stored);
  if (!key) return Error::Internal("the stored client-token key is not 32 bytes");
  return std::move(*key);
}

}  // namespace gh::keys
