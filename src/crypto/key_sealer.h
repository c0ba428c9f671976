// KeySealer: encrypts what the database must not give away in the clear (the IdP's private
// signing keys, the key codes and clients' opaque access tokens are sealed under), so a copy of the
// database alone (a backup, a replica, a stolen disk image) yields neither. AES-256-GCM (aead.h)
// with a key the operator keeps outside the database (a file or the environment); what a value
// is for is bound in as associated data (a key's kid), so it cannot be swapped onto another.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace gh::crypto {

class KeySealer {
 public:
  // `key`: 32 bytes, raw or as base64url text (as `openssl rand 32 | basenc --base64url` makes).
  static Result<KeySealer> FromKey(std::string_view key);

  // "gh-sealed-v1:" + base64url(nonce || ciphertext || tag).
  std::string Seal(std::string_view plaintext, std::string_view associated_data) const;
  // kInvalidArgument when `sealed` is malformed, was sealed under another key or other data.
  Result<std::string> Open(std::string_view sealed, std::string_view associated_data) const;

  // Whether `text` is a sealed value (rather than, say, a plaintext PEM from before sealing).
  static bool IsSealed(std::string_view text);

 private:
  explicit KeySealer(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace gh::crypto
