// How issued secrets are looked up and when a stored token still counts.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace gh::oidc {

// The store key of a code or token: only the hash is kept, so a database leak yields no usable
// secret.
std::string SecretHash(std::string_view secret);

// Neither revoked nor expired at `now`.
bool IsActive(const store::TokenRecord& token, TimePoint now);

}  // namespace gh::oidc
