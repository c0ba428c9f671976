// The cost of one password check: argon2id with Gatehouse's parameters (crypto::Argon2Params),
// the work a password sign-in cannot avoid. bench/compare.sh reports sign-ins per second beside it.
#include <benchmark/benchmark.h>

#include <string>

#include "core/random.h"
#include "crypto/password.h"

namespace {

void BM_Argon2idVerify(benchmark::State& state) {
  gh::SystemRandom random;
  gh::crypto::Argon2Params params;
  gh::crypto::PasswordHasher hasher(random, params);
  auto hash = hasher.Hash("correct horse battery staple");
  for (auto _ : state)
    benchmark::DoNotOptimize(hasher.Verify(*hash, "correct horse battery staple"));
  state.SetLabel("argon2id m=" + std::to_string(params.memory_kib) + " KiB, t=" +
                 std::to_string(params.time_cost) + ", p=" + std::to_string(params.parallelism));
}
BENCHMARK(BM_Argon2idVerify)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
