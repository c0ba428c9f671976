#include "crypto/key_sealer.h"

#include "core/base64url.h"
#include "crypto/aead.h"

namespace gh::crypto {
namespace {

constexpr std::string_view kPrefix = "gh-sealed-v1:";

}  // namespace

Result<KeySealer> KeySealer::FromKey(std::string_view key) {
  auto parsed = ParseAeadKey(key);
  if (!parsed)
    return Error::InvalidArgument("the key encryption key must be 32 bytes, raw or base64url");
  return KeySealer(std::move(*parsed));
}

bool KeySealer::IsSealed(std::string_view text) { return text.starts_with(kPrefix); }

std::string KeySealer::Seal(std::string_view plaintext, std::string_view associated_data) const {
  return std::string(kPrefix) + Base64UrlEncode(AeadSeal(key_, plaintext, associated_data));
}

Result<std::string> KeySealer::Open(std::string_view sealed,
                                    std::string_view associated_data) const {
  if (!IsSealed(sealed)) return Error::InvalidArgument("not a sealed value");
  auto raw = Base64UrlDecode(sealed.substr(kPrefix.size()));
  if (!raw) return Error::InvalidArgument("malformed sealed value");
  auto plaintext = AeadOpen(key_, *raw, associated_data);
  if (!plaintext) return Error::InvalidArgument("the sealed value does not open with this key");
  return std::move(*plaintext);
}

}  // namespace gh::crypto
