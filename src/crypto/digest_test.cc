#include "crypto/digest.h"

#include <gtest/gtest.h>

#include <string>

namespace gh::crypto {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

// FIPS 180-2 test vectors.
TEST(Sha256, MatchesKnownAnswers) {
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256("abc").size(), 32u);
}

// RFC 4231 §4.3, test case 2.
TEST(HmacSha256, MatchesKnownAnswer) {
  EXPECT_EQ(Hex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_NE(HmacSha256("key-a", "data"), HmacSha256("key-b", "data"));
}

TEST(Sha256, HashesEmbeddedNulBytes) { EXPECT_NE(Sha256(std::string("a\0b", 3)), Sha256("a")); }

TEST(Sha256Base64Url, EncodesTheDigestWithoutPadding) {
  EXPECT_EQ(Sha256Base64Url("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
}

TEST(ConstantTimeEqual, EqualInputsAreEqual) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_TRUE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(ConstantTimeEqual, ADifferenceAnywhereMakesThemUnequal) {
  EXPECT_FALSE(ConstantTimeEqual("secret", "Secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeEqual, DifferentLengthsAreUnequal) {
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEqual("secret2", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("", "x"));
  // A prefix match must not count, even though the common bytes agree.
  EXPECT_FALSE(ConstantTimeEqual("sec", "secret"));
}

}  // namespace
}  // namespace gh::crypto
