#include "saml/browser_logout_step.h"

#include <nlohmann/json.hpp>

#include "crypto/sealed_text.h"

namespace gh::saml {
namespace {

std::string_view Purpose(StepToken use) {
  return use == StepToken::kFrame ? "saml-slo-step" : "saml-slo-request-id";
}

}  // namespace

std::string SealLogoutStep(std::string_view secret, StepToken use, const BrowserLogoutStep& step,
                           std::string_view nonce) {
  nlohmann::json j = {
      {"sid", step.sid}, {"sp", step.entity_id}, {"exp", ToUnixSeconds(step.expires_at)}};
  if (!nonce.empty()) j["n"] = nonce;
  return crypto::SealText(secret, Purpose(use), j.dump());
}

std::optional<BrowserLogoutStep> OpenLogoutStep(std::string_view secret, StepToken use,
                                                std::string_view sealed, TimePoint now) {
  auto text = crypto::OpenSealedText(secret, Purpose(use), sealed);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j["sid"].is_string() || !j["sp"].is_string() ||
      !j["exp"].is_number_integer())
    return std::nullopt;
  BrowserLogoutStep step{j["sid"], j["sp"], FromUnixSeconds(j["exp"].get<std::int64_t>())};
  if (step.expires_at <= now) return std::nullopt;
  return step;
}

std::string BrowserLogoutRequestId(std::string_view secret, const BrowserLogoutStep& step,
                                   Random& random) {
  return "_" + SealLogoutStep(secret, StepToken::kRequestId, step, random.Token(16));
}

std::optional<BrowserLogoutStep> AnsweredLogoutStep(std::string_view secret,
                                                    std::string_view in_response_to,
                                                    TimePoint now) {
  if (!in_response_to.starts_with('_')) return std::nullopt;
  return OpenLogoutStep(secret, StepToken::kRequestId, in_response_to.substr(1), now);
}

}  // namespace gh::saml
