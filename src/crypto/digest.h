// Hashes and comparisons used across the protocols. All OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace gh::crypto {

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// base64url(SHA-256(data)): how the store keys secrets (session keys, codes, tokens).
std::string Sha256Base64Url(std::string_view data);
// Compares without leaking where the inputs differ (CRYPTO_memcmp); unequal lengths are unequal.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace gh::crypto
