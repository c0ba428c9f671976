#include "oidc/bearer_token.h"

#include <algorithm>

namespace gh::oidc {
namespace {

constexpr std::string_view kScheme = "bearer ";

// RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool IsB64Token(std::string_view token) {
  std::size_t end = token.find_last_not_of('=');
  if (end == std::string_view::npos) return false;
  return std::all_of(token.begin(), token.begin() + end + 1, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  });
}

bool IsBearerScheme(std::string_view authorization) {
  if (authorization.size() < kScheme.size()) return false;
  return std::equal(kScheme.begin(), kScheme.end(), authorization.begin(), [](char a, char b) {
    return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
  });
}

}  // namespace

Result<std::optional<std::string>, OAuthError> ExtractBearerToken(
    std::optional<std::string_view> authorization, const Params* form) {
  std::optional<std::string> from_body = form ? form->Get("access_token") : std::nullopt;
  if (!authorization) return from_body;
  if (from_body) return OAuthError::InvalidRequest("access token sent in more than one way");
  if (!IsBearerScheme(*authorization))
    return OAuthError(OAuthErrorCode::kInvalidToken, "expected a Bearer access token");
  std::string_view token = authorization->substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (!IsB64Token(token)) return OAuthError::InvalidRequest("malformed Bearer credentials");
  return std::optional<std::string>(std::string(token));
}

std::string BearerChallenge(const std::optional<OAuthError>& error) {
  std::string challenge = "Bearer";
  if (!error) return challenge;
  challenge += " error=\"";
  challenge += ToString(error->code);
  challenge += "\"";
  if (!error->description.empty())
    challenge += ", error_description=\"" + error->description + "\"";
  return challenge;
}

}  // namespace gh::oidc
