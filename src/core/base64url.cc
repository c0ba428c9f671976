#include "core/base64url.h"

#include <openssl/evp.h>

#include <algorithm>

namespace gh {
namespace {

std::string EncodeStd(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// `padded` is standard base64 with '=' padding and a length that is a multiple of 4.
std::optional<std::string> DecodeStd(std::string_view padded) {
  if (padded.size() % 4 != 0) return std::nullopt;
  std::string out(3 * padded.size() / 4, '\0');
  // EVP_DecodeBlock would skip leading/trailing white space; we accept none.
  if (std::any_of(padded.begin(), padded.end(), [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=');
      }))
    return std::nullopt;
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(padded.data()),
                          static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t pad = 0;
  if (!padded.empty() && padded.back() == '=') ++pad;
  if (padded.size() > 1 && padded[padded.size() - 2] == '=') ++pad;
  // '=' anywhere but the last two places is malformed.
  if (padded.find('=') < padded.size() - pad) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string s = EncodeStd(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  std::replace(s.begin(), s.end(), '+', '-');
  std::replace(s.begin(), s.end(), '/', '_');
  return s;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string s;
  s.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;
    s.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  while (s.size() % 4 != 0) s.push_back('=');
  return DecodeStd(s);
}

std::string Base64Encode(std::string_view bytes) { return EncodeStd(bytes); }

std::optional<std::string> Base64Decode(std::string_view text) { return DecodeStd(text); }

}  // namespace gh
