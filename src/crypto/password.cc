#include "crypto/password.h"

#include <argon2.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace gh::crypto {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

}  // namespace

Result<std::string> PasswordHasher::Hash(std::string_view password) const {
  std::array<std::uint8_t, kSaltBytes> salt;
  random_.Fill(salt);
  std::size_t encoded_size =
      argon2_encodedlen(params_.time_cost, params_.memory_kib, params_.parallelism, kSaltBytes,
                        kHashBytes, Argon2_id);
  // argon2_encodedlen counts the terminating NUL.
  std::string encoded(encoded_size, '\0');
  int rc = argon2id_hash_encoded(params_.time_cost, params_.memory_kib, params_.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK)
    return Error::Internal(std::string("argon2id hashing failed: ") + argon2_error_message(rc));
  encoded.resize(std::strlen(encoded.c_str()));
  return encoded;
}

bool PasswordHasher::Verify(std::string_view encoded, std::string_view password) const {
  // libargon2 needs a NUL-terminated string; an embedded NUL would silently truncate the hash.
  if (encoded.find('\0') != std::string_view::npos) return false;
  // libargon2 compares the recomputed tag in constant time.
  return argon2id_verify(std::string(encoded).c_str(), password.data(), password.size()) ==
         ARGON2_OK;
}

}  // namespace gh::crypto
