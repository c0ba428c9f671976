#include "oidc/session_state.h"

#include <algorithm>
#include <cctype>

#include "core/params.h"
#include "crypto/digest.h"

namespace gh::oidc {
namespace {

constexpr std::size_t kHexHashSize = 64;

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

bool IsBase64UrlToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

std::string Hash(std::string_view client_id, std::string_view origin,
                 std::string_view browser_state, std::string_view salt) {
  std::string input;
  input.append(client_id).append(" ").append(origin).append(" ");
  input.append(browser_state).append(" ").append(salt);
  return Hex(crypto::Sha256(input));
}

// "hash.sid.nonce" split into its three parts, each checked for shape.
struct Parts {
  std::string_view hash, sid, nonce;
};
std::optional<Parts> Split(std::string_view value) {
  auto first = value.find('.');
  auto last = value.rfind('.');
  if (first == std::string_view::npos || first == last) return std::nullopt;
  Parts p{value.substr(0, first), value.substr(first + 1, last - first - 1),
          value.substr(last + 1)};
  bool hex = p.hash.size() == kHexHashSize && std::all_of(p.hash.begin(), p.hash.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
             });
  if (!hex || !IsBase64UrlToken(p.sid) || !IsBase64UrlToken(p.nonce)) return std::nullopt;
  return p;
}

}  // namespace

std::string SessionState(std::string_view client_id, std::string_view origin,
                         const store::SessionRecord& session, std::string_view nonce) {
  std::string salt = session.sid + "." + std::string(nonce);
  return Hash(client_id, origin, session.browser_state, salt) + "." + salt;
}

std::optional<std::string> SessionStateSid(std::string_view session_state) {
  auto parts = Split(session_state);
  if (!parts) return std::nullopt;
  return std::string(parts->sid);
}

const char* ToString(SessionCheck check) {
  switch (check) {
    case SessionCheck::kUnchanged:
      return "unchanged";
    case SessionCheck::kChanged:
      return "changed";
    case SessionCheck::kError:
      return "error";
  }
  return "error";
}

SessionCheck CheckSessionState(const store::ClientRecord& client, std::string_view origin,
                               std::string_view session_state,
                               const std::optional<store::SessionRecord>& live_session) {
  auto parts = Split(session_state);
  bool registered_origin =
      std::any_of(client.redirect_uris.begin(), client.redirect_uris.end(),
                  [&](const std::string& uri) { return UriOrigin(uri) == origin; });
  if (!parts || !registered_origin) return SessionCheck::kError;
  if (!live_session || live_session->sid != parts->sid) return SessionCheck::kChanged;
  std::string salt(session_state.substr(parts->hash.size() + 1));
  bool same = crypto::ConstantTimeEqual(parts->hash,
                                        Hash(client.id, origin, live_session->browser_state, salt));
  return same ? SessionCheck::kUnchanged : SessionCheck::kChanged;
}

}  // namespace gh::oidc
