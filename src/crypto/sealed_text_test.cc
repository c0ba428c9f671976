#include "crypto/sealed_text.h"

#include <gtest/gtest.h>

namespace gh::crypto {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(SealedText, OpensToWhatWasSealed) {
  auto sealed = SealText(kSecret, "purpose", R"({"sp":"https://sp.example"})");
  EXPECT_EQ(sealed.find_first_of("+/= &?"), std::string::npos) << "URL-safe: " << sealed;
  EXPECT_EQ(OpenSealedText(kSecret, "purpose", sealed), R"({"sp":"https://sp.example"})");
}

TEST(SealedText, RefusesAnotherPurposeAnotherSecretAndAnyChange) {
  auto sealed = SealText(kSecret, "purpose", "text");
  EXPECT_FALSE(OpenSealedText(kSecret, "other", sealed));
  EXPECT_FALSE(OpenSealedText("another secret of 32 bytes......", "purpose", sealed));
  auto forged = SealText(kSecret, "purpose", "texT");
  auto swapped = forged.substr(0, forged.find('.')) + sealed.substr(sealed.find('.'));
  EXPECT_FALSE(OpenSealedText(kSecret, "purpose", swapped));
  EXPECT_FALSE(OpenSealedText(kSecret, "purpose", sealed.substr(0, sealed.size() - 1)));
  EXPECT_FALSE(OpenSealedText(kSecret, "purpose", "text"));
  EXPECT_FALSE(OpenSealedText(kSecret, "purpose", ""));
}

}  // namespace
}  // namespace gh::crypto
