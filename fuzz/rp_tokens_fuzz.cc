// The relying-party library's ID token (Core §3.1.3.7) and logout token (Back-Channel §2.6)
// validation. Inputs are taken both as a compact token and as claims this OP's key signs, so
// the fuzzer reaches the claim rules behind the signature check.
#include <nlohmann/json.hpp>

#include "crypto/jws.h"
#include "crypto/signing_key.h"
#include "fake_provider.h"
#include "fuzz_input.h"
#include "rp/token_validation.h"

namespace {

const gh::crypto::SigningKey& OpKey() {
  static const auto key = *gh::crypto::SigningKey::Generate(gh::crypto::JwsAlg::kES256, "k1");
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = gh::fuzz::Split(data, size, 3);
  gh::fuzz::FakeProvider op;
  op.discovery = nlohmann::json{{"issuer", gh::fuzz::kIssuer},
                                {"authorization_endpoint", "https://id.example/authorize"},
                                {"token_endpoint", "https://id.example/token"},
                                {"jwks_uri", "https://id.example/jwks"}}
                     .dump();
  op.jwks = nlohmann::json{{"keys", {OpKey().PublicJwk()}}}.dump();
  gh::FakeClock clock(gh::FromUnixSeconds(1'700'000'000));
  gh::rp::ProviderMetadata provider(gh::fuzz::kIssuer, op, clock);
  gh::rp::TokenValidator validator(
      {.issuer = gh::fuzz::kIssuer, .client_id = "app", .alg = gh::crypto::JwsAlg::kES256},
      provider, clock);

  std::vector<std::string> tokens = {parts[2]};
  auto claims = nlohmann::json::parse(parts[1], nullptr, /*allow_exceptions=*/false);
  if (claims.is_object()) {
    if (auto signed_token = gh::crypto::SignJwt(OpKey(), claims, parts[0]); signed_token.ok())
      tokens.push_back(*signed_token);
  }
  for (const auto& token : tokens) {
    validator.ValidateIdToken(token, {.nonce = "n-0S6_WzA2Mj", .access_token = "at"});
    auto logout = validator.ValidateLogoutToken(token);
    // Back-Channel §2.6: a logout token names a session or a subject, and never has a nonce.
    if (logout.ok() && !logout->sid && !logout->sub) __builtin_trap();
  }
  return 0;
}
