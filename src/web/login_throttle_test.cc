#include "web/login_throttle.h"

#include <gtest/gtest.h>

namespace gh::web {
namespace {

class LoginThrottleTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  LoginThrottle throttle_{clock_, ThrottlePolicy{.source_free_failures = 10,
                                                 .source_max_delay = Seconds(900),
                                                 .account_free_failures = 5,
                                                 .account_max_delay = Seconds(30),
                                                 .forget_after = Seconds(900),
                                                 .max_tracked_keys = 4}};
};

TEST_F(LoginThrottleTest, AccountWaitsDoubleAfterTheFreeFailuresUpToTheCap) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(throttle_.Wait("alice", "10.0.0.1"));
    EXPECT_FALSE(throttle_.Failed("alice", "10.0.0.1"));
  }
  EXPECT_TRUE(throttle_.Failed("alice", "10.0.0.2"));          // the sixth starts the wait
  EXPECT_EQ(throttle_.Wait("alice", "10.0.0.3"), Seconds(1));  // from any source
  for (Seconds expected :
       {Seconds(2), Seconds(4), Seconds(8), Seconds(16), Seconds(30), Seconds(30)}) {
    clock_.Advance(Seconds(60));
    EXPECT_FALSE(throttle_.Failed("alice", "10.0.0." + std::to_string(expected.count())));
    EXPECT_EQ(throttle_.Wait("alice", "10.0.0.99"), expected);
  }
  EXPECT_FALSE(throttle_.Wait("bob", "10.0.0.99")) << "other accounts are not affected";
}

TEST_F(LoginThrottleTest, ASuccessClearsTheAccountButNotTheSource) {
  for (int i = 0; i < 11; ++i) throttle_.Failed(i < 6 ? "alice" : "bob", "192.0.2.7");
  EXPECT_TRUE(throttle_.Wait("alice", "198.51.100.1"));
  throttle_.Succeeded("alice");
  EXPECT_FALSE(throttle_.Wait("alice", "198.51.100.1"));
  EXPECT_EQ(throttle_.Wait("carol", "192.0.2.7"), Seconds(1));  // the source is still guessing
}

TEST_F(LoginThrottleTest, WaitsEndByThemselves) {
  for (int i = 0; i < 30; ++i) throttle_.Failed("user" + std::to_string(i % 3), "192.0.2.7");
  EXPECT_TRUE(throttle_.Wait("someone", "192.0.2.7"));
  clock_.Advance(Seconds(900));
  EXPECT_FALSE(throttle_.Wait("someone", "192.0.2.7"));
  EXPECT_FALSE(throttle_.Wait("user0", "192.0.2.7"));
}

TEST_F(LoginThrottleTest, Ipv6SourcesCountByTheirSlash64) {
  EXPECT_EQ(LoginThrottle::SourceKey("2001:db8:1:2:aaaa::1"),
            LoginThrottle::SourceKey("2001:db8:1:2:bbbb::9"));
  EXPECT_NE(LoginThrottle::SourceKey("2001:db8:1:2::1"),
            LoginThrottle::SourceKey("2001:db8:1:3::1"));
  EXPECT_NE(LoginThrottle::SourceKey("192.0.2.1"), LoginThrottle::SourceKey("192.0.2.2"));
  // IPv4 clients of a dual-stack listener are not one /64.
  EXPECT_NE(LoginThrottle::SourceKey("::ffff:192.0.2.1"),
            LoginThrottle::SourceKey("::ffff:192.0.2.2"));
  EXPECT_EQ(LoginThrottle::SourceKey("::ffff:192.0.2.1"), LoginThrottle::SourceKey("192.0.2.1"));
}

TEST_F(LoginThrottleTest, TracksABoundedNumberOfKeys) {
  for (int i = 0; i < 6; ++i) throttle_.Failed("alice", "192.0.2.1");  // alice waits
  // Three more accounts fill the table of four; alice's, failed least recently, makes room.
  for (int i = 0; i < 3; ++i) throttle_.Failed("u" + std::to_string(i), "192.0.2.1");
  EXPECT_FALSE(throttle_.Wait("alice", "192.0.2.9"));
}

}  // namespace
}  // namespace gh::web
