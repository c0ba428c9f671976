// A client's own opaque access token (client_credentials): what its record would hold, sealed
// under the deployment's sealing key (AES-256-GCM). Issuing one needs no write and a fleet of
// services fetching tokens never queues on the store's write lock, yet the token stays opaque to
// its client (RFC 6749 §1.4) and nobody without the key can make or alter one. It survives a
// restart and is read the same on every node, since the key lives in the store. Like a client's
// JWT access token, nothing about it can end but its lifetime, a revocation (recorded then) or
// its client's removal; end-users' tokens are always recorded, so that signing out revokes them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace gh::oidc {

// base64url(AES-256-GCM(`key`, {client_id, grant_id, scope, iat, exp})) of `record`, which must
// be a client's own access token (no end-user). `key`: crypto::kAeadKeyBytes.
std::string SealClientAccessToken(std::string_view key, const store::TokenRecord& record);

// The record `token` was sealed from, keyed by the token's hash like a stored one; null unless
// `token` was sealed under `key` and has not expired at `now`.
std::optional<store::TokenRecord> OpenClientAccessToken(std::string_view key,
                                                        std::string_view token, TimePoint now);

}  // namespace gh::oidc
