// The ID token (OpenID Connect Core §2 and §3.1.3.6): its claims and its signature.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "store/records.h"

namespace gh::oidc {

// Everything an ID token states, gathered by the grant that issues it.
struct IdTokenContent {
  std::string issuer;
  std::string client_id;
  store::UserRecord user;
  std::string scope;  // decides which user claims are released
  std::optional<std::string> sid;
  std::optional<TimePoint> auth_time;
  std::optional<store::SignInMethod> method;
  std::optional<std::string> nonce;         // only when the authorization request had one
  std::optional<std::string> access_token;  // issued alongside, for at_hash
  TimePoint issued_at;
  TimePoint expires_at;
};

// OpenID Connect Core §3.1.3.6: the left-most half of the hash of the ASCII access token,
// base64url-encoded. SHA-256 is the hash of both RS256 and ES256, the only algorithms we sign
// with.
std::string AtHash(std::string_view access_token);

nlohmann::json IdTokenClaims(const IdTokenContent& content);

// The signed compact JWT, header {"alg", "kid", "typ":"JWT"}.
Result<std::string> SignIdToken(const crypto::SigningKey& key, const IdTokenContent& content);

}  // namespace gh::oidc
