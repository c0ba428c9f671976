#include "oidc/authorization_code.h"

#include <nlohmann/json.hpp>

#include "oidc/json_members.h"
#include "oidc/sealed_json.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

// Binds the ciphertext to this use of the key: a code is never an access token, nor one back.
constexpr std::string_view kPurpose = "gatehouse authorization code v1";

}  // namespace

std::string SealAuthorizationCode(std::string_view key,
                                  const store::AuthorizationCodeRecord& record) {
  nlohmann::json content = {{"grant_id", record.grant_id},
                            {"client_id", record.client_id},
                            {"redirect_uri", record.redirect_uri},
                            {"user_id", record.user_id},
                            {"sid", record.sid},
                            {"scope", record.scope},
                            {"auth_time", ToUnixSeconds(record.auth_time)},
                            {"idp", record.method.idp},
                            {"amr", record.method.amr},
                            {"acr", record.method.acr},
                            {"iat", ToUnixSeconds(record.issued_at)},
                            {"exp", ToUnixSeconds(record.expires_at)}};
  if (record.nonce) content["nonce"] = *record.nonce;
  if (record.code_challenge) {
    content["code_challenge"] = *record.code_challenge;
    content["code_challenge_method"] = record.code_challenge_method;
  }
  return SealJson(key, kPurpose, content);
}

std::optional<store::AuthorizationCodeRecord> OpenAuthorizationCode(std::string_view key,
                                                                    std::string_view code) {
  auto opened = OpenSealedJson(key, kPurpose, code);
  if (!opened) return std::nullopt;
  const auto& content = *opened;
  store::AuthorizationCodeRecord record;
  for (auto [name, field] : {std::pair{"grant_id", &record.grant_id},
                             {"client_id", &record.client_id},
                             {"redirect_uri", &record.redirect_uri},
                             {"user_id", &record.user_id},
                             {"sid", &record.sid},
                             {"scope", &record.scope},
                             {"idp", &record.method.idp},
                             {"acr", &record.method.acr}}) {
    auto value = StringMember(content, name);
    if (!value) return std::nullopt;
    *field = std::move(*value);
  }
  auto auth_time = TimeMember(content, "auth_time");
  auto iat = TimeMember(content, "iat");
  auto exp = TimeMember(content, "exp");
  auto amr = content.find("amr");
  if (!auth_time || !iat || !exp || amr == content.end() || !amr->is_array()) return std::nullopt;
  for (const auto& method : *amr) {
    if (!method.is_string()) return std::nullopt;
    record.method.amr.push_back(method.get<std::string>());
  }
  record.code_hash = SecretHash(code);
  record.nonce = StringMember(content, "nonce");
  record.code_challenge = StringMember(content, "code_challenge");
  if (record.code_challenge) {
    auto method = StringMember(content, "code_challenge_method");
    if (!method) return std::nullopt;
    record.code_challenge_method = std::move(*method);
  }
  record.auth_time = *auth_time;
  record.issued_at = *iat;
  record.expires_at = *exp;
  return record;
}

}  // namespace gh::oidc
