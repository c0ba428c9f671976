// Random: the source of identifiers, codes and tokens, behind an interface so tests can fix it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace gh {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<std::uint8_t> out) = 0;

  // `bytes` random bytes, base64url without padding: session ids, codes, tokens, jti.
  std::string Token(std::size_t bytes = 32);
};

// Cryptographically secure randomness from OpenSSL's DRBG. Thread-safe.
class SystemRandom final : public Random {
 public:
  void Fill(std::span<std::uint8_t> out) override;
};

}  // namespace gh
