// The token request codec: the form body of POST /token.
#include "fuzz_input.h"
#include "oidc/token_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto form = gh::Params::Parse(gh::fuzz::AsText(data, size));
  if (form.ok()) gh::oidc::ParseTokenRequest(*form);
  return 0;
}
