#include "web/csrf.h"

#include <algorithm>

#include "core/base64url.h"
#include "crypto/digest.h"
#include "session/session_authority.h"

namespace gh::web {
namespace {

constexpr std::size_t kNonceBytes = 32;
constexpr std::size_t kNonceChars = 43;  // base64url of 32 bytes, unpadded

bool WellFormedNonce(std::string_view nonce) {
  return nonce.size() == kNonceChars && std::all_of(nonce.begin(), nonce.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

}  // namespace

Csrf::Csrf(Random& random, std::string secret, bool secure)
    : random_(random), secret_(std::move(secret)), secure_(secure) {}

std::string_view Csrf::cookie_name() const { return secure_ ? "__Host-gh_csrf" : "gh_csrf"; }

std::string Csrf::FieldFor(std::string_view nonce, const http::Request& request) const {
  // The session binding is the hash of the session cookie, as the store knows it; a browser
  // without one is bound to the empty string. Length-prefixed parts cannot run into each other.
  std::string session =
      crypto::Sha256Base64Url(request.Cookie(session::kSessionCookieName).value_or(""));
  std::string message = "gatehouse csrf v1\n" + std::to_string(nonce.size()) + ":" +
                        std::string(nonce) + "\n" + session;
  return Base64UrlEncode(crypto::HmacSha256(secret_, message));
}

std::string Csrf::Issue(const http::Request& request, http::Response& response) const {
  auto existing = request.Cookie(cookie_name());
  if (existing && WellFormedNonce(*existing)) return FieldFor(*existing, request);
  std::string nonce = random_.Token(kNonceBytes);
  http::CookieOptions options;
  options.same_site = "Strict";
  options.secure = secure_ || request.secure;
  response.headers.Add("Set-Cookie", http::SetCookieHeader(cookie_name(), nonce, options));
  return FieldFor(nonce, request);
}

bool Csrf::Verify(const http::Request& request, const Params& form) const {
  auto nonce = request.Cookie(cookie_name());
  auto field = form.Get(kCsrfFieldName);
  if (!nonce || !field || !WellFormedNonce(*nonce)) return false;
  return crypto::ConstantTimeEqual(*field, FieldFor(*nonce, request));
}

}  // namespace gh::web
