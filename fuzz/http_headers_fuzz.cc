// The request headers that carry credentials: Cookie (session and CSRF cookies), and
// Authorization as Basic client credentials and as a Bearer token.
#include "fuzz_input.h"
#include "http/message.h"
#include "oidc/bearer_token.h"
#include "oidc/client_authentication.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = gh::fuzz::Split(data, size, 3);
  gh::http::Request request;
  request.method = "POST";
  request.target = "/token";
  request.headers.Add("Cookie", parts[0]);
  request.headers.Add("Authorization", parts[1]);
  request.headers.Add("Content-Type", "application/x-www-form-urlencoded");
  request.body = parts[2];
  for (const char* name : {"gh_session", "gh_csrf", "__Host-gh_csrf", ""}) request.Cookie(name);
  gh::oidc::DecodeBasicCredentials(parts[1]);
  auto form = request.Form();
  gh::oidc::ExtractBearerToken(parts[1], form.ok() ? &*form : nullptr);
  return 0;
}
