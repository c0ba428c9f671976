// The authorization code (RFC 6749 §4.1.2) is its record sealed under the deployment's sealing key
// (sealed_json.h): handing one out writes nothing, and the token endpoint reads it from the code
// itself on whichever node the client reaches. Its one use is recorded in the store inside the
// transaction that records the tokens it buys (the code's hash is a unique key there), so a second
// redemption is found however the two race; a code whose session has ended buys nothing, since
// that transaction also joins the client to the session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/records.h"

namespace gh::oidc {

// The code for `record` (everything but its hash and `consumed`). `key`: crypto::kAeadKeyBytes.
std::string SealAuthorizationCode(std::string_view key,
                                  const store::AuthorizationCodeRecord& record);

// The record `code` was sealed from, with the code's hash; null unless `code` was sealed under
// `key` as an authorization code. Expiry is the redemption's to check (ValidateCodeRedemption),
// so that an expired code is refused as such.
std::optional<store::AuthorizationCodeRecord> OpenAuthorizationCode(std::string_view key,
                                                                    std::string_view code);

}  // namespace gh::oidc
