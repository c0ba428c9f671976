// Params: every query string and form body the IdP and the relying-party library receive.
#include "core/params.h"
#include "core/utf8.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = gh::fuzz::AsText(data, size);
  gh::IsValidUtf8(text);
  auto params = gh::Params::Parse(text);
  if (!params.ok()) return 0;
  params->RepeatedName();
  for (const auto& [name, value] : params->items()) params->Get(name);
  // What we decode we must be able to encode back to the same parameters.
  auto again = gh::Params::Parse(params->Encode());
  if (!again.ok() || again->items() != params->items()) __builtin_trap();
  return 0;
}
