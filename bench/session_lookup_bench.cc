// Session lookup as the store grows: FindSessionByKeyHash — what every request with a session
// cookie does — with 1,000, 100,000 and 1,000,000 stored sessions, and the space they take, on
// the backend named by GATEHOUSE_BENCH_STORE: "sqlite:PATH" or "postgres:URL" (bench/sessions.sh
// runs both, PostgreSQL on a throwaway cluster). The store is filled once per process, growing
// from one size to the next; the filling is not timed.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/digest.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using gh::store::SessionRecord;
using gh::store::Store;

struct Backend {
  std::string kind;   // sqlite or postgres
  std::string where;  // a path or a URL
  std::unique_ptr<Store> store;
  long stored = 0;
};

Backend& TheBackend() {
  static Backend backend = [] {
    const char* spec = std::getenv("GATEHOUSE_BENCH_STORE");
    if (spec == nullptr)
      throw std::runtime_error("set GATEHOUSE_BENCH_STORE=sqlite:PATH or postgres:URL");
    const std::string s(spec);
    Backend b{s.substr(0, s.find(':')), s.substr(s.find(':') + 1), nullptr};
    auto opened = b.kind == "postgres" ? gh::store::OpenPostgresStore({b.where, ""})
                                       : gh::store::OpenSqliteStore(b.where);
    if (!opened.ok()) throw std::runtime_error(opened.error().message);
    b.store = std::move(opened).value();
    return b;
  }();
  return backend;
}

// The cookie key hash of session i: the base64url SHA-256 a real session key gets.
std::string KeyHash(long i) {
  return gh::crypto::Sha256Base64Url("session-key-" + std::to_string(i));
}

void FillTo(Backend& b, long target) {
  constexpr long kBatch = 5000;
  const auto t0 = gh::FromUnixSeconds(1'700'000'000);
  while (b.stored < target) {
    const long end = std::min(target, b.stored + kBatch);
    auto filled = b.store->InTransaction([&](Store& tx) -> gh::Result<void> {
      for (long i = b.stored; i < end; ++i) {
        SessionRecord s;
        s.key_hash = KeyHash(i);
        s.sid = "sid-" + std::to_string(i);
        s.user_id = "user-" + std::to_string(i % 50'000);
        s.auth_time = s.created_at = s.last_seen_at = t0 + std::chrono::seconds(i % 86'400);
        s.method.amr = {"pwd"};
        GH_RETURN_IF_ERROR(tx.CreateSession(s));
      }
      return gh::Ok();
    });
    if (!filled.ok()) throw std::runtime_error(filled.error().message);
    b.stored = end;
  }
}

// Bytes the sessions take: the database files for SQLite, the table with its indexes for
// PostgreSQL.
double StoredBytes(const Backend& b) {
  if (b.kind == "sqlite") {
    double bytes = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(b.where + suffix, ec);
      if (!ec) bytes += static_cast<double>(size);
    }
    return bytes;
  }
  PGconn* conn = PQconnectdb(b.where.c_str());
  PGresult* r = PQexec(conn, "SELECT pg_total_relation_size('sessions')");
  const double bytes = PQresultStatus(r) == PGRES_TUPLES_OK ? std::atof(PQgetvalue(r, 0, 0)) : 0;
  PQclear(r);
  PQfinish(conn);
  return bytes;
}

constexpr int kLookups = 20'000;

void BM_FindSessionByKeyHash(benchmark::State& state) {
  Backend& b = TheBackend();
  const long sessions = state.range(0);
  FillTo(b, sessions);
  // Random sessions, old and new alike, their keys made before the clock starts.
  std::mt19937_64 random(42);
  std::uniform_int_distribution<long> pick(0, sessions - 1);
  std::vector<std::string> keys(kLookups);
  for (std::string& key : keys) key = KeyHash(pick(random));
  std::size_t next = 0;
  for (auto _ : state) {
    auto found = b.store->FindSessionByKeyHash(keys[next++ % keys.size()]);
    if (!found.ok() || !found->has_value()) state.SkipWithError("a stored session was not found");
    benchmark::DoNotOptimize(found);
  }
  state.counters["stored_MB"] = StoredBytes(b) / 1e6;
  state.SetLabel(b.kind);
}
BENCHMARK(BM_FindSessionByKeyHash)
    ->Arg(1'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->Iterations(kLookups);

}  // namespace
