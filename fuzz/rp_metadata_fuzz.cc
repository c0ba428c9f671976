// The relying-party library's parsing of the discovery document and the JWKS an OP serves.
#include "core/clock.h"
#include "crypto/jws.h"
#include "fake_provider.h"
#include "fuzz_input.h"
#include "rp/provider_metadata.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = gh::fuzz::Split(data, size, 2);
  gh::fuzz::FakeProvider op;
  op.discovery = std::move(parts[0]);
  op.jwks = std::move(parts[1]);
  gh::FakeClock clock;
  gh::rp::ProviderMetadata provider(gh::fuzz::kIssuer, op, clock);
  provider.Endpoints();
  // Any key the JWKS yields is tried on a token nobody signed: it must never verify.
  auto jws =
      gh::crypto::DecodeJws("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
  if (jws.ok() && provider.VerifySignature(*jws).ok()) __builtin_trap();
  return 0;
}
