// Proof Key for Code Exchange (RFC 7636), S256 only: "plain" would give no protection against a
// leaked authorization request, so it is refused (OAuth 2.0 Security BCP, RFC 9700 §2.1.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "oidc/oauth_error.h"

namespace gh::oidc {

inline constexpr std::string_view kPkceMethodS256 = "S256";

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters of the base64url alphabet.
bool IsWellFormedS256Challenge(std::string_view challenge);
// RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
bool IsWellFormedVerifier(std::string_view verifier);
// RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
std::string S256Challenge(std::string_view verifier);

// The authorization-request half (RFC 7636 §4.3): a challenge needs method S256, and public
// clients must send one because they have no secret to bind the code to (RFC 9700 §2.1.1).
Result<void, OAuthError> ValidateChallenge(const std::optional<std::string>& challenge,
                                           const std::optional<std::string>& method,
                                           bool public_client);

// The token-request half (RFC 7636 §4.6): with a stored challenge the verifier is required and
// must match; without one a verifier is refused, so a code issued without PKCE cannot be
// mistaken for a PKCE-protected one (RFC 9700 §2.1.1, PKCE downgrade). Errors are invalid_grant.
Result<void, OAuthError> VerifyCodeVerifier(const std::optional<std::string>& stored_challenge,
                                            const std::optional<std::string>& verifier);

}  // namespace gh::oidc
