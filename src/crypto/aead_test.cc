#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "core/base64url.h"

namespace gh::crypto {
namespace {

const std::string kKey(32, 'k');

TEST(Aead, OnlyTheSameKeyAndAssociatedDataOpen) {
  auto sealed = AeadSeal(kKey, "the plaintext", "purpose");
  EXPECT_EQ(sealed.find("the plaintext"), std::string::npos);
  EXPECT_NE(AeadSeal(kKey, "the plaintext", "purpose"), sealed) << "a fresh nonce every time";
  EXPECT_EQ(AeadOpen(kKey, sealed, "purpose"), "the plaintext");

  EXPECT_FALSE(AeadOpen(kKey, sealed, "another purpose"));
  EXPECT_FALSE(AeadOpen(std::string(32, 'o'), sealed, "purpose"));
  for (std::size_t at : {std::size_t{0}, std::size_t{14}, sealed.size() - 1}) {
    auto tampered = sealed;
    tampered[at] ^= 1;  // nonce, ciphertext, tag
    EXPECT_FALSE(AeadOpen(kKey, tampered, "purpose")) << "byte " << at;
  }
  EXPECT_FALSE(AeadOpen(kKey, sealed.substr(0, 27), "purpose")) << "shorter than nonce and tag";
  EXPECT_FALSE(AeadOpen(kKey, "", "purpose"));
}

TEST(Aead, SealsEmptyPlaintext) { EXPECT_EQ(AeadOpen(kKey, AeadSeal(kKey, "", "p"), "p"), ""); }

TEST(Aead, AKeyIsThirtyTwoBytesRawOrBase64Url) {
  EXPECT_EQ(ParseAeadKey(kKey), kKey);
  EXPECT_EQ(ParseAeadKey(Base64UrlEncode(kKey) + "\n"), kKey);
  EXPECT_FALSE(ParseAeadKey(std::string(31, 'k')));
  EXPECT_FALSE(ParseAeadKey(Base64UrlEncode(std::string(16, 'k'))));
  EXPECT_THROW(AeadSeal("short", "x", "p"), std::logic_error);
}

}  // namespace
}  // namespace gh::crypto
