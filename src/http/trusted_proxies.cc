#include "http/trusted_proxies.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

namespace gh::http {
namespace {

// `text` as 16 bytes, IPv4 mapped into IPv6 (::ffff:a.b.c.d) so one comparison serves both.
std::optional<std::array<std::uint8_t, 16>> ParseAddress(std::string_view text) {
  const std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

bool IsMappedV4(const std::array<std::uint8_t, 16>& a) {
  for (int i = 0; i < 10; ++i)
    if (a[i] != 0) return false;
  return a[10] == 0xff && a[11] == 0xff;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies proxies;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find_first_of(", ", start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view entry = list.substr(start, end - start);
    start = end + 1;
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = ParseAddress(entry.substr(0, slash));
    if (!address)
      return Error::InvalidArgument("not an IP address or network: " + std::string(entry));
    Network network{*address, 128};
    const int max_bits = IsMappedV4(*address) ? 32 : 128;
    if (slash != std::string_view::npos) {
      const std::string_view bits = entry.substr(slash + 1);
      int n = -1;
      const auto [ptr, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
      if (ec != std::errc() || ptr != bits.data() + bits.size() || n < 0 || n > max_bits)
        return Error::InvalidArgument("bad prefix length in " + std::string(entry));
      network.prefix_bits = n + (128 - max_bits);
    }
    proxies.networks_.push_back(network);
  }
  return proxies;
}

bool TrustedProxies::Contains(std::string_view text) const {
  const auto address = ParseAddress(Trim(text));
  if (!address) return false;
  for (const Network& n : networks_) {
    int bits = n.prefix_bits;
    bool match = true;
    for (int i = 0; i < 16 && bits > 0 && match; ++i, bits -= 8) {
      const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
      match = ((*address)[i] & mask) == (n.bytes[i] & mask);
    }
    if (match) return true;
  }
  return false;
}

std::string TrustedProxies::ClientAddress(std::string_view peer,
                                          std::string_view forwarded_for) const {
  if (networks_.empty() || forwarded_for.empty() || !Contains(peer)) return std::string(peer);
  std::string_view rest = forwarded_for;
  std::string_view hop;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    hop = Trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (!Contains(hop)) break;
  }
  // A hop that is not an address (garbage from a client) is not a client address either.
  if (!ParseAddress(hop)) return std::string(peer);
  return std::string(hop);
}

}  // namespace gh::http
