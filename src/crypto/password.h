// Password hashing with argon2id (libargon2). Slow on purpose: call from the worker pool.
#pragma once

#include <string>
#include <string_view>

#include "core/random.h"
#include "core/result.h"

namespace gh::crypto {

// Defaults follow OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane): a sign-in costs
// tens of milliseconds, not a second, so a burst of attempts cannot monopolise the CPU. Hashes
// record their parameters, so changing these never invalidates stored passwords.
struct Argon2Params {
  unsigned time_cost = 2;
  unsigned memory_kib = 19 * 1024;
  unsigned parallelism = 1;
};

class PasswordHasher {
 public:
  PasswordHasher(Random& random, Argon2Params params = {}) : random_(random), params_(params) {}
  // The PHC-encoded hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
  Result<std::string> Hash(std::string_view password) const;
  // true when `password` matches `encoded`; false on mismatch or a malformed hash.
  bool Verify(std::string_view encoded, std::string_view password) const;

 private:
  Random& random_;
  Argon2Params params_;
};

}  // namespace gh::crypto
