// TrustedProxies: the load balancers whose X-Forwarded-For Gatehouse believes, so that behind
// nginx the client's own address — not the proxy's — is what sign-in throttling and the logs see.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gh::http {

class TrustedProxies {
 public:
  // Trusts nobody: every request's address is its connection's.
  TrustedProxies() = default;

  // From addresses and networks ("10.0.0.0/8", "192.0.2.7", "fd00::/8", "::1") separated by
  // commas or spaces. kInvalidArgument naming the entry that is neither.
  static Result<TrustedProxies> Parse(std::string_view list);

  // The address of the client behind the connection from `peer`: `peer` itself unless it is a
  // trusted proxy; then the right-most X-Forwarded-For entry that is not one (entries further
  // left were written by the client, who can write anything), or the left-most when all are.
  std::string ClientAddress(std::string_view peer, std::string_view forwarded_for) const;

  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 128;
  };
  bool Contains(std::string_view address) const;

  std::vector<Network> networks_;
};

}  // namespace gh::http
