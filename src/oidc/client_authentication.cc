#include "oidc/client_authentication.h"

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::oidc {
namespace {

constexpr std::string_view kBasicScheme = "basic";

bool StartsWithIgnoringCase(std::string_view text, std::string_view lower_prefix) {
  if (text.size() < lower_prefix.size()) return false;
  for (std::size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one component ('+' is a space).
std::optional<std::string> FormDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

bool IsBasicAuthorization(std::optional<std::string_view> authorization) {
  return authorization && StartsWithIgnoringCase(*authorization, kBasicScheme) &&
         (authorization->size() == kBasicScheme.size() ||
          (*authorization)[kBasicScheme.size()] == ' ');
}

Result<ClientCredentials, OAuthError> DecodeBasicCredentials(std::string_view authorization) {
  if (!IsBasicAuthorization(authorization))
    return OAuthError::InvalidClient("expected Basic authentication");
  std::string_view token = authorization.substr(kBasicScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  auto decoded = Base64Decode(token);
  if (!decoded) return OAuthError::InvalidClient("malformed Basic credentials");
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return OAuthError::InvalidClient("malformed Basic credentials");
  auto id = FormDecode(std::string_view(*decoded).substr(0, colon));
  auto secret = FormDecode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret || id->empty())
    return OAuthError::InvalidClient("malformed Basic credentials");
  return ClientCredentials{*id, *secret, ClientAuthMethod::kClientSecretBasic};
}

Result<ClientCredentials, OAuthError> ExtractClientCredentials(
    std::optional<std::string_view> authorization, const Params& form) {
  auto body_id = form.Get("client_id");
  auto body_secret = form.Get("client_secret");
  if (authorization) {
    GH_ASSIGN_OR_RETURN(auto basic, DecodeBasicCredentials(*authorization));
    if (body_secret)
      return OAuthError::InvalidRequest("client authenticated by more than one method");
    if (body_id && *body_id != basic.client_id)
      return OAuthError::InvalidRequest("client_id does not match the Basic credentials");
    return basic;
  }
  if (!body_id) return OAuthError::InvalidClient("client authentication is required");
  if (body_secret)
    return ClientCredentials{*body_id, *body_secret, ClientAuthMethod::kClientSecretPost};
  return ClientCredentials{*body_id, std::nullopt, ClientAuthMethod::kNone};
}

Result<void, OAuthError> VerifyClientCredentials(const store::ClientRecord& client,
                                                 const ClientCredentials& credentials) {
  if (client.id != credentials.client_id)
    return OAuthError::InvalidClient("client authentication failed");
  if (client.is_public()) {
    if (credentials.method != ClientAuthMethod::kNone)
      return OAuthError::InvalidClient("public clients have no secret");
    return {};
  }
  if (!credentials.secret ||
      !crypto::ConstantTimeEqual(crypto::Sha256Base64Url(*credentials.secret), *client.secret_hash))
    return OAuthError::InvalidClient("client authentication failed");
  return {};
}

}  // namespace gh::oidc
