// The end-session request codec: the query or form of GET/POST /logout, id_token_hint included,
// and what the endpoint decides from it.
#include <nlohmann/json.hpp>

#include "crypto/signing_key.h"
#include "fuzz_input.h"
#include "oidc/end_session_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto params = gh::Params::Parse(gh::fuzz::AsText(data, size));
  if (!params.ok()) return 0;
  static const std::vector<gh::crypto::VerificationKey> keys = [] {
    auto key = gh::crypto::SigningKey::Generate(gh::crypto::JwsAlg::kES256, "k");
    return std::vector{*gh::crypto::VerificationKey::FromJwk(key->PublicJwk())};
  }();
  auto request = gh::oidc::ParseEndSessionRequest(*params, "https://id.example", keys);
  if (!request.ok()) return 0;
  static const auto client = [] {
    gh::store::ClientRecord c;
    c.id = "app";
    c.post_logout_redirect_uris = {"https://app.example/bye"};
    return c;
  }();
  auto redirect = gh::oidc::DecidePostLogoutRedirect(*request, client);
  // Never a redirect to anything but the registered URI.
  if (redirect.uri && *redirect.uri != "https://app.example/bye") __builtin_trap();
  gh::store::SessionRecord session;
  session.sid = "sid";
  session.user_id = "sub";
  // No forged hint can skip the confirmation: none of these inputs was signed by the key.
  if (!gh::oidc::NeedsConfirmation(*request, session)) __builtin_trap();
  return 0;
}
