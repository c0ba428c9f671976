#include "http/trusted_proxies.h"

#include <gtest/gtest.h>

namespace gh::http {
namespace {

TrustedProxies Trust(std::string_view list) {
  auto proxies = TrustedProxies::Parse(list);
  EXPECT_TRUE(proxies.ok()) << proxies.error().message;
  return proxies.ok() ? *proxies : TrustedProxies();
}

TEST(TrustedProxies, TrustingNobodyKeepsTheConnectionsAddress) {
  EXPECT_EQ(TrustedProxies().ClientAddress("10.0.0.5", "198.51.100.7"), "10.0.0.5");
}

TEST(TrustedProxies, AnUntrustedPeersForwardedForIsIgnored) {
  // Anyone can send the header; only a proxy we run may speak for the client.
  EXPECT_EQ(Trust("10.0.0.0/8").ClientAddress("203.0.113.9", "198.51.100.7"), "203.0.113.9");
}

TEST(TrustedProxies, TheRightMostUntrustedHopIsTheClient) {
  const auto proxies = Trust("10.0.0.0/8");
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", "198.51.100.7"), "198.51.100.7");
  // The client wrote 1.2.3.4 itself; nginx appended the address it really came from.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.7"), "198.51.100.7");
  // Chained proxies are skipped from the right.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.9.9.9"), "198.51.100.7");
  // All trusted: the left-most is as far as anyone can tell.
  EXPECT_EQ(proxies.ClientAddress("10.0.0.5", "10.1.1.1,10.2.2.2"), "10.1.1.1");
}

TEST(TrustedProxies, GarbageInTheHeaderIsNotAnAddress) {
  EXPECT_EQ(Trust("10.0.0.5").ClientAddress("10.0.0.5", "<script>"), "10.0.0.5");
  EXPECT_EQ(Trust("10.0.0.5").ClientAddress("10.0.0.5", ""), "10.0.0.5");
}

TEST(TrustedProxies, NetworksMatchByPrefixForBothFamilies) {
  const auto proxies = Trust("192.0.2.0/25 fd00::/8, ::1");
  EXPECT_EQ(proxies.ClientAddress("192.0.2.127", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(proxies.ClientAddress("192.0.2.128", "198.51.100.7"), "192.0.2.128");
  EXPECT_EQ(proxies.ClientAddress("fd12::1", "2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(proxies.ClientAddress("fe80::1", "2001:db8::7"), "fe80::1");
  EXPECT_EQ(proxies.ClientAddress("::1", "2001:db8::7"), "2001:db8::7");
  // An IPv4 network never matches an IPv6 address that merely shares its bytes.
  EXPECT_EQ(Trust("0.0.0.0/0").ClientAddress("2001:db8::1", "198.51.100.7"), "2001:db8::1");
}

TEST(TrustedProxies, ParseNamesWhatIsNotAnAddressOrNetwork) {
  for (const char* bad : {"nginx", "10.0.0.0/33", "10.0.0.0/", "fd00::/129", "10.0.0.0/8x"}) {
    auto proxies = TrustedProxies::Parse(bad);
    ASSERT_FALSE(proxies.ok()) << bad;
    EXPECT_NE(proxies.error().message.find(bad), std::string::npos) << proxies.error().message;
  }
}

}  // namespace
}  // namespace gh::http
