#include "saml/browser_logout_step.h"

#include <nlohmann/json.hpp>

#include "crypto/sealed_text.h"

namespace gh::saml {
namespace {

constexpr std::string_view kPurpose = "saml-slo-step";

}  // namespace

std::string SealLogoutStep(std::string_view secret, const BrowserLogoutStep& step) {
  nlohmann::json j = {
      {"sid", step.sid}, {"sp", step.entity_id}, {"exp", ToUnixSeconds(step.expires_at)}};
  return crypto::SealText(secret, kPurpose, j.dump());
}

std::optional<BrowserLogoutStep> OpenLogoutStep(std::string_view secret, std::string_view sealed,
                                                TimePoint now) {
  auto text = crypto::OpenSealedText(secret, kPurpose, sealed);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j["sid"].is_string() || !j["sp"].is_string() ||
      !j["exp"].is_number_integer())
    return std::nullopt;
  BrowserLogoutStep step{j["sid"], j["sp"], FromUnixSeconds(j["exp"].get<std::int64_t>())};
  if (step.expires_at <= now) return std::nullopt;
  return step;
}

}  // namespace gh::saml
