#include "oidc/authorization_code.h"

#include <nlohmann/json.hpp>

#include "oidc/json_members.h"
#include "oidc/sealed_json.h"

namespace gh::oidc {
namespace {

// Binds the ciphertext to this use of the key: a code is never an access token, nor one back.
constexpr std::string_view kPurpose = "gatehouse authorization code v1";

}  // namespace

std::string SealAuthorizationCode(std::string_view key, const AuthorizationCode& content) {
  nlohmann::json sealed = {{"grant_id", content.grant_id},
                           {"client_id", content.client_id},
                           {"redirect_uri", content.redirect_uri},
                           {"user_id", content.user_id},
                           {"sid", content.sid},
                           {"scope", content.scope},
                           {"auth_time", ToUnixSeconds(content.auth_time)},
                           {"idp", content.method.idp},
                           {"amr", content.method.amr},
                           {"acr", content.method.acr},
                           {"iat", ToUnixSeconds(content.issued_at)},
                           {"exp", ToUnixSeconds(content.expires_at)}};
  if (content.nonce) sealed["nonce"] = *content.nonce;
  if (content.code_challenge) {
    sealed["code_challenge"] = *content.code_challenge;
    sealed["code_challenge_method"] = content.code_challenge_method;
  }
  return SealJson(key, kPurpose, sealed);
}

std::optional<AuthorizationCode> OpenAuthorizationCode(std::string_view key,
                                                       std::string_view code) {
  auto opened = OpenSealedJson(key, kPurpose, code);
  if (!opened) return std::nullopt;
  const auto& sealed = *opened;
  AuthorizationCode content;
  for (auto [name, field] : {std::pair{"grant_id", &content.grant_id},
                             {"client_id", &content.client_id},
                             {"redirect_uri", &content.redirect_uri},
                             {"user_id", &content.user_id},
                             {"sid", &content.sid},
                             {"scope", &content.scope},
                             {"idp", &content.method.idp},
                             {"acr", &content.method.acr}}) {
    auto value = StringMember(sealed, name);
    if (!value) return std::nullopt;
    *field = std::move(*value);
  }
  auto auth_time = TimeMember(sealed, "auth_time");
  auto iat = TimeMember(sealed, "iat");
  auto exp = TimeMember(sealed, "exp");
  auto amr = sealed.find("amr");
  if (!auth_time || !iat || !exp || amr == sealed.end() || !amr->is_array()) return std::nullopt;
  for (const auto& method : *amr) {
    if (!method.is_string()) return std::nullopt;
    content.method.amr.push_back(method.get<std::string>());
  }
  content.nonce = StringMember(sealed, "nonce");
  content.code_challenge = StringMember(sealed, "code_challenge");
  if (content.code_challenge) {
    auto method = StringMember(sealed, "code_challenge_method");
    if (!method) return std::nullopt;
    content.code_challenge_method = std::move(*method);
  }
  content.auth_time = *auth_time;
  content.issued_at = *iat;
  content.expires_at = *exp;
  return content;
}

}  // namespace gh::oidc
