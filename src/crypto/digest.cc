#include "crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

#include "core/base64url.h"

namespace gh::crypto {

std::string Sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int size = 0;
  // SHA-256 over memory fails only if OpenSSL cannot allocate; no caller could recover.
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &size,
                 EVP_sha256(), nullptr) != 1 ||
      size != out.size())
    throw std::runtime_error("EVP_Digest(SHA-256) failed");
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(32, '\0');
  std::size_t size = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                reinterpret_cast<unsigned char*>(out.data()), out.size(), &size) == nullptr ||
      size != out.size())
    throw std::runtime_error("EVP_Q_mac(HMAC-SHA-256) failed");
  return out;
}

std::string Sha256Base64Url(std::string_view data) { return Base64UrlEncode(Sha256(data)); }

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // The length is not secret (it is fixed per kind of token); only the content must not leak.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string CspHashSource(std::string_view inline_text) {
  return "'sha256-" + Base64Encode(Sha256(inline_text)) + "'";
}

}  // namespace gh::crypto
