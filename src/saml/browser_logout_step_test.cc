#include "saml/browser_logout_step.h"

#include <gtest/gtest.h>

namespace gh::saml {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(BrowserLogoutStep, OpensUntilItExpires) {
  BrowserLogoutStep step{"sid-1", "https://sp.example/metadata", FromUnixSeconds(1'000)};
  auto sealed = SealLogoutStep(kSecret, StepToken::kFrame, step);
  auto opened = OpenLogoutStep(kSecret, StepToken::kFrame, sealed, FromUnixSeconds(999));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->sid, "sid-1");
  EXPECT_EQ(opened->entity_id, "https://sp.example/metadata");
  EXPECT_EQ(opened->expires_at, FromUnixSeconds(1'000));
  EXPECT_FALSE(OpenLogoutStep(kSecret, StepToken::kFrame, sealed, FromUnixSeconds(1'000)));
}

TEST(BrowserLogoutStep, RefusesWhatGatehouseDidNotSealForThisUse) {
  BrowserLogoutStep step{"sid-1", "sp", FromUnixSeconds(1'000)};
  auto sealed = SealLogoutStep(kSecret, StepToken::kFrame, step);
  auto at = FromUnixSeconds(0);
  EXPECT_FALSE(OpenLogoutStep("another secret of 32 bytes......", StepToken::kFrame, sealed, at));
  EXPECT_FALSE(OpenLogoutStep(kSecret, StepToken::kRequestId, sealed, at));
  EXPECT_FALSE(
      OpenLogoutStep(kSecret, StepToken::kFrame, "e30." + sealed.substr(sealed.find('.') + 1), at));
  EXPECT_FALSE(OpenLogoutStep(kSecret, StepToken::kFrame, "", at));
}

TEST(BrowserLogoutStep, RequestIdsDifferByNonceAndAreXmlIds) {
  BrowserLogoutStep step{"sid-1", "sp", FromUnixSeconds(1'000)};
  auto a = SealLogoutStep(kSecret, StepToken::kRequestId, step, "n1");
  auto b = SealLogoutStep(kSecret, StepToken::kRequestId, step, "n2");
  EXPECT_NE(a, b);
  // An NCName once prefixed with '_': letters, digits, '-', '_', '.'.
  EXPECT_EQ(
      a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos);
  EXPECT_EQ(OpenLogoutStep(kSecret, StepToken::kRequestId, b, FromUnixSeconds(0))->sid, "sid-1");
}

}  // namespace
}  // namespace gh::saml
