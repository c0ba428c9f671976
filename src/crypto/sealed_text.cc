#include "crypto/sealed_text.h"

#include "core/base64url.h"
#include "crypto/digest.h"

namespace gh::crypto {
namespace {

std::string Mac(std::string_view secret, std::string_view purpose, std::string_view payload) {
  std::string message(purpose);
  message += '.';
  message += payload;
  return HmacSha256(secret, message);
}

}  // namespace

std::string SealText(std::string_view secret, std::string_view purpose, std::string_view text) {
  std::string payload = Base64UrlEncode(text);
  return payload + "." + Base64UrlEncode(Mac(secret, purpose, payload));
}

std::optional<std::string> OpenSealedText(std::string_view secret, std::string_view purpose,
                                          std::string_view sealed) {
  auto dot = sealed.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = sealed.substr(0, dot);
  auto mac = Base64UrlDecode(sealed.substr(dot + 1));
  if (!mac || !ConstantTimeEqual(*mac, Mac(secret, purpose, payload))) return std::nullopt;
  return Base64UrlDecode(payload);
}

}  // namespace gh::crypto
