// Hashes and comparisons used across the protocols. All OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace gh::crypto {

// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// Raw 32-byte HMAC-SHA-256 (RFC 2104) of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);
// base64url(SHA-256(data)): how the store keys secrets (session keys, codes, tokens).
std::string Sha256Base64Url(std::string_view data);
// The Content-Security-Policy source that allows one inline script or stylesheet by its hash:
// 'sha256-<base64 of SHA-256(text)>' (CSP Level 2 §4.2.4).
std::string CspHashSource(std::string_view inline_text);
// Compares without leaking where the inputs differ (CRYPTO_memcmp); unequal lengths are unequal.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace gh::crypto
