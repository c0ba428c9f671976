// What Gatehouse hands the browser in a front-channel SAML sign-out and takes back, sealed with an
// HMAC under the server's SAML secret so only a sign-out Gatehouse ran can produce it, and only
// for a while:
// - the frame step: for an SP whose only front-channel SingleLogoutService takes HTTP-POST, the
//   signed-out page's iframe loads Gatehouse's /saml/slo/frame?step=…, which posts the signed
//   LogoutRequest to the SP;
// - the request ID: every front-channel LogoutRequest's ID, so that the LogoutResponse answering
//   it (InResponseTo) says which session's sign-out the SP confirmed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"

namespace gh::saml {

struct BrowserLogoutStep {
  std::string sid;
  std::string entity_id;  // the SP
  TimePoint expires_at;
};

enum class StepToken { kFrame, kRequestId };

// A URL-safe value (also a valid XML ID after a leading '_'); `nonce` makes two of the same step
// differ (request IDs must be unique).
std::string SealLogoutStep(std::string_view secret, StepToken use, const BrowserLogoutStep& step,
                           std::string_view nonce = "");
// nullopt when `sealed` was not made by SealLogoutStep with `secret` for `use`, or has expired by
// `now`.
std::optional<BrowserLogoutStep> OpenLogoutStep(std::string_view secret, StepToken use,
                                                std::string_view sealed, TimePoint now);

// The ID of a front-channel LogoutRequest for `step`, and the step a LogoutResponse answers by its
// InResponseTo (nullopt when it answers none of those, or too late).
std::string BrowserLogoutRequestId(std::string_view secret, const BrowserLogoutStep& step,
                                   Random& random);
std::optional<BrowserLogoutStep> AnsweredLogoutStep(std::string_view secret,
                                                    std::string_view in_response_to, TimePoint now);

}  // namespace gh::saml
