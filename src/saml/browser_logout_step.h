// A browser sign-out step for a SAML service provider whose only front-channel SingleLogoutService
// takes HTTP-POST: the signed-out page loads Gatehouse's /saml/slo/frame in an iframe, and that
// page posts the signed LogoutRequest to the SP. What the iframe URL carries is sealed, so only a
// sign-out Gatehouse ran can make it send a LogoutRequest, and only for a while.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace gh::saml {

struct BrowserLogoutStep {
  std::string sid;
  std::string entity_id;  // the SP
  TimePoint expires_at;
};

// The value of the frame URL's `step` parameter.
std::string SealLogoutStep(std::string_view secret, const BrowserLogoutStep& step);
// nullopt when `sealed` was not made by SealLogoutStep with `secret`, or has expired by `now`.
std::optional<BrowserLogoutStep> OpenLogoutStep(std::string_view secret, std::string_view sealed,
                                                TimePoint now);

}  // namespace gh::saml
