// Base64url (RFC 4648 §5) without padding, as JOSE and PKCE use it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gh {

std::string Base64UrlEncode(std::string_view bytes);
// nullopt on characters outside the alphabet, padding, or an impossible length.
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Standard base64 with padding (HTTP Basic authentication, SAML bindings).
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace gh
