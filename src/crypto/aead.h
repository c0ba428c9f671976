// Authenticated encryption for values only Gatehouse may read or make (sealed signing keys,
// authorization codes, clients' opaque access tokens): OpenSSL's AES-256-GCM with a fresh random
// 96-bit nonce each time, the associated data binding a sealed value to what it was sealed for.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gh::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;

// `key` as 32 raw bytes, or as base64url text of them (as `openssl rand 32 | basenc --base64url`
// makes); trailing white space, which keys kept in files and environment variables carry, is
// ignored. Null for anything else.
std::optional<std::string> ParseAeadKey(std::string_view key);

// nonce || ciphertext || tag, raw bytes. `key` must be kAeadKeyBytes long (std::logic_error).
std::string AeadSeal(std::string_view key, std::string_view plaintext,
                     std::string_view associated_data);
// The plaintext, or null when `sealed` is malformed or was sealed under another key or data.
std::optional<std::string> AeadOpen(std::string_view key, std::string_view sealed,
                                    std::string_view associated_data);

}  // namespace gh::crypto
