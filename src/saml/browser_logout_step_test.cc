#include "saml/browser_logout_step.h"

#include <gtest/gtest.h>

namespace gh::saml {
namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

TEST(BrowserLogoutStep, OpensUntilItExpires) {
  BrowserLogoutStep step{"sid-1", "https://sp.example/metadata", FromUnixSeconds(1'000)};
  auto sealed = SealLogoutStep(kSecret, step);
  auto opened = OpenLogoutStep(kSecret, sealed, FromUnixSeconds(999));
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->sid, "sid-1");
  EXPECT_EQ(opened->entity_id, "https://sp.example/metadata");
  EXPECT_EQ(opened->expires_at, FromUnixSeconds(1'000));
  EXPECT_FALSE(OpenLogoutStep(kSecret, sealed, FromUnixSeconds(1'000)));
}

TEST(BrowserLogoutStep, RefusesWhatGatehouseDidNotSeal) {
  auto sealed = SealLogoutStep(kSecret, {"sid-1", "sp", FromUnixSeconds(1'000)});
  EXPECT_FALSE(OpenLogoutStep("another secret of 32 bytes......", sealed, FromUnixSeconds(0)));
  EXPECT_FALSE(
      OpenLogoutStep(kSecret, "e30." + sealed.substr(sealed.find('.') + 1), FromUnixSeconds(0)));
  EXPECT_FALSE(OpenLogoutStep(kSecret, "", FromUnixSeconds(0)));
}

}  // namespace
}  // namespace gh::saml
