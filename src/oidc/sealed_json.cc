#include "oidc/sealed_json.h"

#include <nlohmann/json.hpp>

#include "core/base64url.h"
#include "crypto/aead.h"

namespace gh::oidc {

std::string SealJson(std::string_view key, std::string_view purpose, const nlohmann::json& object) {
  return Base64UrlEncode(crypto::AeadSeal(key, object.dump(), purpose));
}

std::optional<nlohmann::json> OpenSealedJson(std::string_view key, std::string_view purpose,
                                             std::string_view sealed) {
  auto raw = Base64UrlDecode(sealed);
  if (!raw) return std::nullopt;
  auto text = crypto::AeadOpen(key, *raw, purpose);
  if (!text) return std::nullopt;
  // The tag held, so the text is ours; should it still not parse, it is refused, not thrown on.
  auto object = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object()) return std::nullopt;
  return object;
}

}  // namespace gh::oidc
