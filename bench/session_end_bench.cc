// Cost of ending an IdP session with N participants, each with a back-channel logout URI and an
// access and a refresh token: SessionAuthority::End() on the SQLite store, which is what a
// sign-out's response waits for (the deliveries themselves happen afterwards).
#include <benchmark/benchmark.h>

#include <stdexcept>
#include <string>

#include "core/log.h"
#include "oidc/oidc_participants.h"
#include "session/session_authority.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace gh::session {
namespace {

template <class T>
T OrDie(Result<T> result) {
  if (!result.ok()) throw std::runtime_error(result.error().message);
  return *std::move(result);
}

void OrDie(Result<void> result) {
  if (!result.ok()) throw std::runtime_error(result.error().message);
}

void BM_EndSession(benchmark::State& state) {
  const int participants = static_cast<int>(state.range(0));
  SetLogLevel(LogLevel::kWarn);  // one session.ended line per iteration is not what is measured
  gh::testing::TempDir dir;
  auto store = OrDie(store::OpenSqliteStore(dir.File("bench.db")));
  SystemClock clock;
  SystemRandom random;
  EventLog events(clock);
  SessionAuthority sessions(*store, clock, random, events, SessionPolicy{});
  gh::oidc::OidcParticipants oidc("https://id.example");
  sessions.AddProtocol(oidc);
  for (int i = 0; i < participants; ++i) {
    store::ClientRecord client;
    client.id = "rp" + std::to_string(i);
    client.name = client.id;
    client.redirect_uris = {"https://" + client.id + ".example/callback"};
    client.backchannel_logout_uri = "https://" + client.id + ".example/logout";
    client.created_at = clock.Now();
    OrDie(store->PutClient(client));
  }
  OrDie(store->PutUser({.id = "u1", .username = "user", .password_hash = "x"}));

  for (auto _ : state) {
    state.PauseTiming();
    auto started = OrDie(sessions.Start("u1"));
    const auto& sid = started.session.sid;
    // Participants and tokens as the code flows would have recorded them, in one transaction
    // only to keep the setup short.
    OrDie(store->InTransaction([&](store::Store& tx) -> Result<void> {
      for (int i = 0; i < participants; ++i) {
        const std::string client_id = "rp" + std::to_string(i);
        GH_RETURN_IF_ERROR(tx.AddParticipant({.sid = sid,
                                              .client_id = client_id,
                                              .protocol = "oidc",
                                              .first_seen_at = clock.Now(),
                                              .last_seen_at = clock.Now()}));
        for (auto kind : {store::TokenKind::kAccess, store::TokenKind::kRefresh}) {
          GH_RETURN_IF_ERROR(tx.PutToken({.token_hash = random.Token(16),
                                          .kind = kind,
                                          .grant_id = client_id + sid,
                                          .client_id = client_id,
                                          .user_id = "u1",
                                          .sid = sid,
                                          .scope = "openid",
                                          .issued_at = clock.Now(),
                                          .expires_at = clock.Now() + Seconds(3600)}));
        }
      }
      return Ok();
    }));
    state.ResumeTiming();
    benchmark::DoNotOptimize(OrDie(sessions.End(sid, EndCause::kRpLogout)));
  }
  state.SetItemsProcessed(state.iterations() * participants);
}

BENCHMARK(BM_EndSession)->Arg(1)->Arg(10)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace gh::session
