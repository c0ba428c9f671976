#include "crypto/key_sealer.h"

#include <gtest/gtest.h>

#include "core/base64url.h"

namespace gh::crypto {
namespace {

const std::string kKey(32, 'k');
constexpr char kPem[] = "-----BEGIN PRIVATE KEY-----\nMIIB...\n-----END PRIVATE KEY-----\n";

TEST(KeySealer, SealsSoThatOnlyTheSameKeyAndDataOpen) {
  auto sealer = *KeySealer::FromKey(kKey);
  auto sealed = sealer.Seal(kPem, "kid-1");
  EXPECT_TRUE(KeySealer::IsSealed(sealed));
  EXPECT_EQ(sealed.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(sealer.Seal(kPem, "kid-1"), sealed) << "a fresh nonce every time";
  EXPECT_EQ(*sealer.Open(sealed, "kid-1"), kPem);

  EXPECT_FALSE(sealer.Open(sealed, "kid-2").ok()) << "bound to its kid";
  auto other = *KeySealer::FromKey(std::string(32, 'o'));
  EXPECT_FALSE(other.Open(sealed, "kid-1").ok());
  auto tampered = sealed;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(sealer.Open(tampered, "kid-1").ok());
  EXPECT_FALSE(sealer.Open("gh-sealed-v1:AAAA", "kid-1").ok());
  EXPECT_FALSE(sealer.Open(kPem, "kid-1").ok());
}

TEST(KeySealer, AcceptsRawOrBase64UrlKeysOf32BytesOnly) {
  EXPECT_TRUE(KeySealer::FromKey(kKey).ok());
  EXPECT_TRUE(KeySealer::FromKey(Base64UrlEncode(kKey) + "\n").ok());
  EXPECT_FALSE(KeySealer::FromKey("short").ok());
  EXPECT_FALSE(KeySealer::FromKey(std::string(33, 'k')).ok());
  EXPECT_FALSE(KeySealer::FromKey(Base64UrlEncode(std::string(16, 'k'))).ok());
}

}  // namespace
}  // namespace gh::crypto
