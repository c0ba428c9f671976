#include "crypto/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

namespace gh::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Fills with a fixed byte, so the salt in the encoded hash is predictable.
class FixedRandom final : public Random {
 public:
  explicit FixedRandom(std::uint8_t byte) : byte_(byte) {}
  void Fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), byte_); }

 private:
  std::uint8_t byte_;
};

// Small enough that each hash takes milliseconds.
constexpr Argon2Params kFast{.time_cost = 1, .memory_kib = 1024, .parallelism = 1};

TEST(PasswordHasher, HashesToArgon2idWithTheConfiguredParameters) {
  SystemRandom random;
  PasswordHasher hasher(random, kFast);
  Result<std::string> hash = hasher.Hash("correct horse");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  EXPECT_THAT(*hash, StartsWith("$argon2id$v=19$m=1024,t=1,p=1$"));
}

TEST(PasswordHasher, Uses16ByteSaltFromRandomAnd32ByteHash) {
  FixedRandom random(0x01);
  PasswordHasher hasher(random, kFast);
  Result<std::string> hash = hasher.Hash("pw");
  ASSERT_TRUE(hash.ok()) << hash.error().message;
  // 16 bytes of 0x01 in unpadded base64, then a 32-byte tag (43 characters).
  EXPECT_THAT(*hash, HasSubstr("$AQEBAQEBAQEBAQEBAQEBAQ$"));
  EXPECT_EQ(hash->size() - hash->rfind('$') - 1, 43u);
}

TEST(PasswordHasher, SaltsDifferPerHash) {
  SystemRandom random;
  PasswordHasher hasher(random, kFast);
  Result<std::string> first = hasher.Hash("same");
  Result<std::string> second = hasher.Hash("same");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
}

TEST(PasswordHasher, VerifiesTheRightPassword) {
  SystemRandom random;
  PasswordHasher hasher(random, kFast);
  Result<std::string> hash = hasher.Hash("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse"));
}

TEST(PasswordHasher, RejectsAWrongPassword) {
  SystemRandom random;
  PasswordHasher hasher(random, kFast);
  Result<std::string> hash = hasher.Hash("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(hasher.Verify(*hash, "correct hors"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse "));
  EXPECT_FALSE(hasher.Verify(*hash, ""));
}

TEST(PasswordHasher, VerifiesWithTheParametersInTheHash) {
  // Hashes made under older settings must keep working after the configuration changes.
  SystemRandom random;
  Result<std::string> old_hash =
      PasswordHasher(random, {.time_cost = 2, .memory_kib = 2048, .parallelism = 1}).Hash("pw");
  ASSERT_TRUE(old_hash.ok());
  EXPECT_TRUE(PasswordHasher(random, kFast).Verify(*old_hash, "pw"));
  Result<std::string> two_lanes =
      PasswordHasher(random, {.time_cost = 1, .memory_kib = 64, .parallelism = 2}).Hash("pw");
  ASSERT_TRUE(two_lanes.ok());
  EXPECT_TRUE(PasswordHasher(random, kFast).Verify(*two_lanes, "pw"));
  EXPECT_FALSE(PasswordHasher(random, kFast).Verify(*two_lanes, "pW"));
}

TEST(PasswordHasher, MalformedHashesNeverVerify) {
  SystemRandom random;
  PasswordHasher hasher(random, kFast);
  Result<std::string> hash = hasher.Hash("pw");
  ASSERT_TRUE(hash.ok());
  EXPECT_FALSE(hasher.Verify("", "pw"));
  EXPECT_FALSE(hasher.Verify("not a hash", "pw"));
  EXPECT_FALSE(hasher.Verify(hash->substr(0, hash->size() - 5), "pw"));
  EXPECT_FALSE(hasher.Verify(*hash + "AAAA", "pw"));
  // Another argon2 variant is not accepted in place of argon2id.
  std::string argon2i = *hash;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(hasher.Verify(argon2i, "pw"));
  // An embedded NUL must not truncate the hash that is checked.
  EXPECT_FALSE(hasher.Verify(*hash + std::string("\0junk", 5), "pw"));
}

TEST(PasswordHasher, ImpossibleParametersAreAnError) {
  SystemRandom random;
  // Argon2 needs at least 8 KiB per lane.
  PasswordHasher hasher(random, {.time_cost = 1, .memory_kib = 1, .parallelism = 1});
  Result<std::string> hash = hasher.Hash("pw");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace gh::crypto
