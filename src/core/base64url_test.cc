#include "core/base64url.h"

#include <gtest/gtest.h>

namespace gh {
namespace {

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    bytes.push_back(static_cast<char>(0xF0 + i));
  }
}

TEST(Base64Url, UsesUrlAlphabetWithoutPadding) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlDecode("-_8"), std::string("\xfb\xff"));
}

TEST(Base64Url, RejectsForeignCharactersAndPadding) {
  EXPECT_FALSE(Base64UrlDecode("+/8").has_value());
  EXPECT_FALSE(Base64UrlDecode("QQ==").has_value());
  EXPECT_FALSE(Base64UrlDecode("Q").has_value());
  EXPECT_FALSE(Base64UrlDecode("QQ Q").has_value());
}

TEST(Base64, StandardAlphabetWithPadding) {
  EXPECT_EQ(Base64Encode("user:pa ss"), "dXNlcjpwYSBzcw==");
  EXPECT_EQ(Base64Decode("dXNlcjpwYSBzcw=="), std::string("user:pa ss"));
  EXPECT_FALSE(Base64Decode("dXNlcjpwYSBzcw=").has_value());
  EXPECT_FALSE(Base64Decode("d=Nl").has_value());
}

}  // namespace
}  // namespace gh
