#include "crypto/aead.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "core/base64url.h"

namespace gh::crypto {
namespace {

constexpr std::size_t kNonceBytes = 12;  // GCM's recommended IV length (NIST SP 800-38D)
constexpr std::size_t kTagBytes = 16;

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::optional<std::string> ParseAeadKey(std::string_view key) {
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
    key.remove_suffix(1);
  if (key.size() == kAeadKeyBytes) return std::string(key);
  auto decoded = Base64UrlDecode(key);
  if (decoded && decoded->size() == kAeadKeyBytes) return decoded;
  return std::nullopt;
}

std::string AeadSeal(std::string_view key, std::string_view plaintext,
                     std::string_view associated_data) {
  if (key.size() != kAeadKeyBytes) throw std::logic_error("an AES-256-GCM key is 32 bytes");
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* body = nonce + kNonceBytes;
  int length = 0;
  Cipher ctx(EVP_CIPHER_CTX_new());
  // Only allocation can fail here; no caller could recover from that.
  if (!ctx || RAND_bytes(nonce, kNonceBytes) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), body, &length, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), body + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, body + plaintext.size()) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> AeadOpen(std::string_view key, std::string_view sealed,
                                    std::string_view associated_data) {
  if (key.size() != kAeadKeyBytes) throw std::logic_error("an AES-256-GCM key is 32 bytes");
  if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
  const std::size_t body_size = sealed.size() - kNonceBytes - kTagBytes;
  const auto* nonce = Bytes(sealed);
  const auto* body = nonce + kNonceBytes;
  std::string tag(sealed.substr(kNonceBytes + body_size));
  std::string plaintext(body_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  int length = 0;
  Cipher ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &length, body, static_cast<int>(body_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out + length, &length) != 1)
    return std::nullopt;
  return plaintext;
}

}  // namespace gh::crypto
