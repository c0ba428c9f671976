// How a token presented to introspection, revocation or userinfo is found, and whether what can
// end it has: one place for the rule, whether the token is recorded or carries its own record.
#pragma once

#include <optional>
#include <string_view>

#include "oidc/oauth_error.h"
#include "oidc/provider_context.h"
#include "store/records.h"

namespace gh::oidc {

struct FoundToken {
  store::TokenRecord record;  // `revoked` set when something has ended the token since
  bool stored = true;         // false: an access token read from itself, with no record
};

// The stored record of `token` (an unrecorded token revoked by its client has one too), or what
// an unrecorded access token says of itself — sealed (sealed_access_token.h) or a client's own
// JWT (RFC 9068) — marked revoked when its grant has been revoked or, for an end-user's token
// bound to a session, that session has ended: what revokes a recorded token at sign-out and at
// a grant's revocation ends these the same.
Result<std::optional<FoundToken>, OAuthError> FindToken(const ProviderContext& context,
                                                        std::string_view token);

}  // namespace gh::oidc
