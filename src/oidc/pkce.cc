#include "oidc/pkce.h"

#include <algorithm>

#include "crypto/digest.h"

namespace gh::oidc {
namespace {

bool IsAlnum(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

bool IsWellFormedS256Challenge(std::string_view challenge) {
  return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), [](char c) {
           return IsAlnum(c) || c == '-' || c == '_';
         });
}

bool IsWellFormedVerifier(std::string_view verifier) {
  return verifier.size() >= 43 && verifier.size() <= 128 &&
         std::all_of(verifier.begin(), verifier.end(), [](char c) {
           return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
         });
}

std::string S256Challenge(std::string_view verifier) { return crypto::Sha256Base64Url(verifier); }

Result<void, OAuthError> ValidateChallenge(const std::optional<std::string>& challenge,
                                           const std::optional<std::string>& method,
                                           bool public_client) {
  if (!challenge) {
    if (method) return OAuthError::InvalidRequest("code_challenge_method without code_challenge");
    if (public_client) return OAuthError::InvalidRequest("public clients must use PKCE (S256)");
    return {};
  }
  if (!method)
    return OAuthError::InvalidRequest("code_challenge_method is required and must be S256");
  if (*method != kPkceMethodS256)
    return OAuthError::InvalidRequest("code_challenge_method must be S256");
  if (!IsWellFormedS256Challenge(*challenge))
    return OAuthError::InvalidRequest("code_challenge must be 43 base64url characters");
  return {};
}

Result<void, OAuthError> VerifyCodeVerifier(const std::optional<std::string>& stored_challenge,
                                            const std::optional<std::string>& verifier) {
  if (!stored_challenge) {
    if (verifier)
      return OAuthError::InvalidGrant("code_verifier sent for a code issued without PKCE");
    return {};
  }
  if (!verifier) return OAuthError::InvalidGrant("code_verifier is required");
  if (!IsWellFormedVerifier(*verifier)) return OAuthError::InvalidGrant("malformed code_verifier");
  if (!crypto::ConstantTimeEqual(S256Challenge(*verifier), *stored_challenge))
    return OAuthError::InvalidGrant("code_verifier does not match the code_challenge");
  return {};
}

}  // namespace gh::oidc
