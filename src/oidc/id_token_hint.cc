#include "oidc/id_token_hint.h"

#include <nlohmann/json.hpp>

#include "crypto/jws.h"

namespace gh::oidc {
namespace {

const std::string* StringClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  return it != claims.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::vector<std::string> Audiences(const nlohmann::json& claims) {
  std::vector<std::string> out;
  auto it = claims.find("aud");
  if (it == claims.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& a : *it)
      if (a.is_string()) out.push_back(a.get<std::string>());
  return out;
}

}  // namespace

std::optional<IdTokenHint> VerifyIdTokenHint(std::string_view compact, std::string_view issuer,
                                             const std::vector<crypto::VerificationKey>& keys) {
  auto jws = crypto::DecodeJws(compact);
  if (!jws.ok() || !crypto::VerifyJws(*jws, keys).ok()) return std::nullopt;
  const auto& claims = jws->payload;
  // Logout tokens are signed with the same keys: `typ` and `events` tell them apart.
  auto typ = jws->header.find("typ");
  if (typ != jws->header.end() && *typ != "JWT") return std::nullopt;
  const auto* iss = StringClaim(claims, "iss");
  const auto* sub = StringClaim(claims, "sub");
  if (!iss || *iss != issuer || !sub || claims.contains("events")) return std::nullopt;
  IdTokenHint hint;
  hint.sub = *sub;
  hint.audiences = Audiences(claims);
  if (const auto* sid = StringClaim(claims, "sid")) hint.sid = *sid;
  if (const auto* azp = StringClaim(claims, "azp"))
    hint.client_id = *azp;
  else if (hint.audiences.size() == 1)
    hint.client_id = hint.audiences.front();
  else
    return std::nullopt;  // several audiences and no azp: no single client to act for
  return hint;
}

}  // namespace gh::oidc
