// An opaque access token that carries its own record (client, grant, end-user and session when
// there is one, scope, iat, exp) sealed under the deployment's sealing key (AES-256-GCM).
// Issuing one needs no write — a fleet of services fetching client_credentials tokens, or a
// Monday-morning wave of sign-ins, never queues on the store's write lock for it — yet the token
// stays opaque to its client (RFC 6749 §1.4) and nobody without the key can make or alter one.
// It survives a restart and is read the same on every node, since the key lives in the store.
// What can end it before it expires is kept elsewhere and checked where it is presented
// (oidc/token_lookup.h): its revocation (recorded then), its grant's (store::GrantStore::
// RevokeGrant), its session's end, its client's removal.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "store/records.h"

namespace gh::oidc {

// base64url(AES-256-GCM(`key`, {client_id, grant_id, sub, sid, scope, iat, exp})) of `record`,
// which must be an access token. `key`: crypto::kAeadKeyBytes.
std::string SealAccessToken(std::string_view key, const store::TokenRecord& record);

// The record `token` was sealed from, keyed by the token's hash like a stored one; null unless
// `token` was sealed under `key` and has not expired at `now`.
std::optional<store::TokenRecord> OpenAccessToken(std::string_view key, std::string_view token,
                                                  TimePoint now);

}  // namespace gh::oidc
