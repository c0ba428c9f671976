#include "core/random.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

#include "core/base64url.h"

namespace gh {

std::string Random::Token(std::size_t bytes) {
  std::vector<std::uint8_t> buf(bytes);
  Fill(buf);
  return Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(buf.data()), buf.size()));
}

void SystemRandom::Fill(std::span<std::uint8_t> out) {
  // A DRBG failure leaves no safe way to continue issuing secrets.
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
}

}  // namespace gh
