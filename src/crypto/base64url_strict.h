// Strict base64url for JOSE input: core's decoder, plus rejection of non-canonical text (unused
// trailing bits set), so that every value has exactly one accepted spelling. Internal to crypto.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/base64url.h"

namespace gh::crypto {

inline std::optional<std::string> DecodeBase64UrlStrict(std::string_view text) {
  std::optional<std::string> bytes = Base64UrlDecode(text);
  if (!bytes || Base64UrlEncode(*bytes) != text) return std::nullopt;
  return bytes;
}

}  // namespace gh::crypto
