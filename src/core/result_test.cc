#include "core/result.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Error::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  GH_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

Result<void> CheckEven(int x) {
  GH_RETURN_IF_ERROR(Half(x));
  return Ok();
}

TEST(Result, CarriesValueOrError) {
  EXPECT_EQ(*Half(4), 2);
  auto r = Half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(1).ok());
}

}  // namespace
}  // namespace gh
