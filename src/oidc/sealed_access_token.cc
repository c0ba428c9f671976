#include "oidc/sealed_access_token.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "oidc/json_members.h"
#include "oidc/sealed_json.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

// Binds the ciphertext to this use of the key. Named when only clients' own tokens were sealed;
// kept, so that tokens issued before an upgrade stay valid.
constexpr std::string_view kPurpose = "gatehouse client access token v1";

}  // namespace

std::string SealAccessToken(std::string_view key, const store::TokenRecord& record) {
  if (record.kind != store::TokenKind::kAccess)
    throw std::logic_error("only access tokens are sealed");
  nlohmann::json content = {{"client_id", record.client_id},
                            {"grant_id", record.grant_id},
                            {"scope", record.scope},
                            {"iat", ToUnixSeconds(record.issued_at)},
                            {"exp", ToUnixSeconds(record.expires_at)}};
  if (record.user_id) content["sub"] = *record.user_id;
  if (record.sid) content["sid"] = *record.sid;
  return SealJson(key, kPurpose, content);
}

std::optional<store::TokenRecord> OpenAccessToken(std::string_view key, std::string_view token,
                                                  TimePoint now) {
  auto opened = OpenSealedJson(key, kPurpose, token);
  if (!opened) return std::nullopt;
  const auto& content = *opened;
  auto client_id = StringMember(content, "client_id");
  auto grant_id = StringMember(content, "grant_id");
  auto scope = StringMember(content, "scope");
  auto iat = TimeMember(content, "iat");
  auto exp = TimeMember(content, "exp");
  if (!client_id || !grant_id || !scope || !iat || !exp || now >= *exp) return std::nullopt;
  store::TokenRecord record;
  record.token_hash = SecretHash(token);
  record.kind = store::TokenKind::kAccess;
  record.grant_id = *grant_id;
  record.client_id = *client_id;
  record.user_id = StringMember(content, "sub");
  record.sid = StringMember(content, "sid");
  record.scope = *scope;
  record.issued_at = *iat;
  record.expires_at = *exp;
  return record;
}

}  // namespace gh::oidc
