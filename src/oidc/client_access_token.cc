#include "oidc/client_access_token.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/base64url.h"
#include "crypto/aead.h"
#include "oidc/json_members.h"
#include "oidc/token_state.h"

namespace gh::oidc {
namespace {

// Binds the ciphertext to this use of the key.
constexpr std::string_view kPurpose = "gatehouse client access token v1";

}  // namespace

std::string SealClientAccessToken(std::string_view key, const store::TokenRecord& record) {
  if (record.user_id || record.kind != store::TokenKind::kAccess)
    throw std::logic_error("only a client's own access token is sealed");
  nlohmann::json content = {{"client_id", record.client_id},
                            {"grant_id", record.grant_id},
                            {"scope", record.scope},
                            {"iat", ToUnixSeconds(record.issued_at)},
                            {"exp", ToUnixSeconds(record.expires_at)}};
  return Base64UrlEncode(crypto::AeadSeal(key, content.dump(), kPurpose));
}

std::optional<store::TokenRecord> OpenClientAccessToken(std::string_view key,
                                                        std::string_view token, TimePoint now) {
  auto sealed = Base64UrlDecode(token);
  if (!sealed) return std::nullopt;
  auto plaintext = crypto::AeadOpen(key, *sealed, kPurpose);
  if (!plaintext) return std::nullopt;
  // The tag held, so the text is ours; should it still not parse, the token is refused, not thrown
  // on.
  auto content = nlohmann::json::parse(*plaintext, nullptr, /*allow_exceptions=*/false);
  if (!content.is_object()) return std::nullopt;
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
  record.scope = *scope;
  record.issued_at = *iat;
  record.expires_at = *exp;
  return record;
}

}  // namespace gh::oidc
