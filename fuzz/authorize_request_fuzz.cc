// The authorization request codec: the query or form of GET/POST /authorize.
#include "fuzz_input.h"
#include "oidc/authorize_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto params = gh::Params::Parse(gh::fuzz::AsText(data, size));
  if (!params.ok()) return 0;
  static const auto client = [] {
    gh::store::ClientRecord c;
    c.id = "app";
    c.redirect_uris = {"https://app.example/cb"};
    return c;
  }();
  auto redirect = gh::oidc::ParseClientRedirect(*params);
  if (!redirect.ok()) return 0;
  // Only a registered redirect_uri may ever be answered to (RFC 9700 §2.1).
  auto target = gh::oidc::ErrorResponseTarget(*params, redirect->redirect_uri);
  if (target.redirect_uri != redirect->redirect_uri) __builtin_trap();
  if (!gh::oidc::IsRegisteredRedirectUri(client, redirect->redirect_uri)) return 0;
  gh::oidc::ParseAuthorizeRequest(*params, client);
  return 0;
}
