#include "core/clock.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(FakeClock, MovesOnlyWhenTold) {
  FakeClock clock(FromUnixSeconds(100));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 100);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 105);
  clock.Set(FromUnixSeconds(7));
  EXPECT_EQ(ToUnixSeconds(clock.Now()), 7);
}

}  // namespace
}  // namespace gh
