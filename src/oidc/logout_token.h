// The Logout Token of OpenID Connect Back-Channel Logout 1.0 §2.4 (with errata set 1): the signed
// JWT an OP POSTs to an RP's backchannel_logout_uri to end the RP's sessions for one IdP session.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"

namespace gh::oidc {

// §2.4: the member of `events` that makes a JWT a Logout Token.
inline constexpr std::string_view kBackchannelLogoutEvent =
    "http://schemas.openid.net/event/backchannel-logout";
// §2.4: explicit typing, so a Logout Token can never pass for an ID Token or another JWT.
inline constexpr std::string_view kLogoutTokenType = "logout+jwt";
// §2.4 encourages an `exp` "preferably at most two minutes in the future".
inline constexpr Seconds kLogoutTokenLifetime{120};

// What one Logout Token states: one IdP session ending, addressed to one RP.
struct LogoutTokenContent {
  std::string issuer;
  std::string client_id;
  std::string sub;  // the user's stable identifier, as in the ID tokens
  std::string sid;  // the IdP session, as in the ID tokens' `sid`
  std::string jti;  // unique per token, so RPs can detect replays (§2.6 step 9)
  TimePoint issued_at;
};

// iss, aud, iat, exp (iat + kLogoutTokenLifetime), jti, events, sub and sid. Never `nonce`: its
// absence is what makes a Logout Token syntactically invalid as an ID Token (§2.4).
nlohmann::json LogoutTokenClaims(const LogoutTokenContent& content);

// The signed compact JWT with header {"alg", "kid", "typ":"logout+jwt"}. `key` must be of the
// RP's id_token_signed_response_alg: §2.4 signs Logout Tokens like its ID Tokens.
Result<std::string> SignLogoutToken(const crypto::SigningKey& key,
                                    const LogoutTokenContent& content);

}  // namespace gh::oidc
