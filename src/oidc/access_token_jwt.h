// JWT access tokens (RFC 9068), issued to clients registered with an access-token audience: their
// claims, their signature, and how introspection reads one that was never recorded.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "crypto/signing_key.h"
#include "store/records.h"

namespace gh::oidc {

// RFC 9068 §2.1: explicit typing, so an access token can never pass for an ID token.
inline constexpr std::string_view kAccessTokenJwtType = "at+jwt";

// What one JWT access token states.
struct AccessTokenContent {
  std::string issuer;
  std::string audience;  // the client's registered resource server
  std::string client_id;
  std::string subject;  // the end-user, or the client itself for client_credentials (§2.2)
  std::string jti;
  std::string scope;
  std::optional<TimePoint> auth_time;
  std::optional<store::SignInMethod> method;  // for acr and amr (§2.2.1)
  TimePoint issued_at;
  TimePoint expires_at;
};

// §2.2: iss, exp, aud, sub, client_id, iat, jti; scope when granted; auth_time, acr and amr when
// an end-user signed in.
nlohmann::json AccessTokenClaims(const AccessTokenContent& content);

// The signed compact JWT with header {"alg", "kid", "typ":"at+jwt"}.
Result<std::string> SignAccessToken(const crypto::SigningKey& key,
                                    const AccessTokenContent& content);

// client_credentials JWT access tokens are not recorded (nothing about them can end but their
// lifetime or a revocation); this reads one as the record it would have had, for introspection
// and revocation. Null unless `token` is an at+jwt signed by one of `keys`, issued by `issuer`,
// not expired at `now`, and about a client rather than an end-user (sub is the client_id, no
// auth_time): end-users' JWTs are recorded, so that signing out revokes them.
std::optional<store::TokenRecord> ReadUnrecordedAccessToken(
    std::string_view token, std::string_view issuer,
    const std::vector<crypto::VerificationKey>& keys, TimePoint now);

}  // namespace gh::oidc
