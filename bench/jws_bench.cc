// Cost of signing and verifying an ID token, per algorithm: what each token response pays.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/jws.h"
#include "crypto/signing_key.h"

namespace gh::crypto {
namespace {

// The claims of a typical ID token from the authorization code flow.
const nlohmann::json& IdTokenClaims() {
  static const nlohmann::json claims = {
      {"iss", "https://login.example.com"},
      {"sub", "248289761001"},
      {"aud", "s6BhdRkqt3"},
      {"exp", 1'700'003'600},
      {"iat", 1'700'000'000},
      {"auth_time", 1'699'999'950},
      {"nonce", "n-0S6_WzA2Mj"},
      {"sid", "08a5019c-17e1-4977-8f42-65a12843ea02"},
      {"at_hash", "77QmUPtjPfzWtF2AnpK9RQ"},
  };
  return claims;
}

template <class T>
T OrDie(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().message);
  return *std::move(result);
}

// One key per algorithm for the whole run: generation (RSA especially) is not what is measured.
const SigningKey& Key(JwsAlg alg) {
  static const SigningKey rs256 = OrDie(SigningKey::Generate(JwsAlg::kRS256, "bench-rs"));
  static const SigningKey es256 = OrDie(SigningKey::Generate(JwsAlg::kES256, "bench-es"));
  return alg == JwsAlg::kRS256 ? rs256 : es256;
}

void BM_SignJwt(benchmark::State& state, JwsAlg alg) {
  const SigningKey& key = Key(alg);
  for (auto _ : state) benchmark::DoNotOptimize(OrDie(SignJwt(key, IdTokenClaims())));
}

void BM_VerifyJws(benchmark::State& state, JwsAlg alg) {
  const SigningKey& key = Key(alg);
  std::vector<VerificationKey> keys = {OrDie(VerificationKey::FromJwk(key.PublicJwk()))};
  std::string token = OrDie(SignJwt(key, IdTokenClaims()));
  // Decoding is part of what an RP (or our id_token_hint check) pays per token.
  for (auto _ : state) {
    DecodedJws jws = OrDie(DecodeJws(token));
    if (!VerifyJws(jws, keys).ok()) state.SkipWithError("verification failed");
  }
}

BENCHMARK_CAPTURE(BM_SignJwt, RS256, JwsAlg::kRS256);
// The logout dispatcher signs on several threads at once, with the same key.
BENCHMARK_CAPTURE(BM_SignJwt, RS256, JwsAlg::kRS256)->Threads(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_SignJwt, ES256, JwsAlg::kES256);
BENCHMARK_CAPTURE(BM_VerifyJws, RS256, JwsAlg::kRS256);
BENCHMARK_CAPTURE(BM_VerifyJws, ES256, JwsAlg::kES256);

}  // namespace
}  // namespace gh::crypto
