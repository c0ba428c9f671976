// Tamper-evident text for round trips through a browser (a pending SAML request across the
// sign-in page, a sign-out step in an iframe): readable by anyone, but only the server can make
// one, and one made for one purpose is refused for another.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gh::crypto {

// base64url(text) "." base64url(HMAC-SHA-256(secret, purpose "." base64url(text))): URL-safe.
std::string SealText(std::string_view secret, std::string_view purpose, std::string_view text);
// The text SealText was given, or nullopt when `sealed` was not made by it for `purpose`.
std::optional<std::string> OpenSealedText(std::string_view secret, std::string_view purpose,
                                          std::string_view sealed);

}  // namespace gh::crypto
