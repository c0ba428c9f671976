#include "store/postgres/outbox_listener.h"

#include <poll.h>

#include <chrono>
#include <utility>

#include "store/postgres/libpq.h"
#include "store/postgres/pg_connection.h"

namespace gh::store::postgres {
namespace {

// How often the thread looks up from its socket to see whether it should stop.
constexpr int kPollMs = 200;

struct ConnCloser {
  void operator()(pg_conn* c) const { Pq().finish(c); }
};
using ConnHandle = std::unique_ptr<pg_conn, ConnCloser>;

}  // namespace

OutboxListener::OutboxListener(PostgresTarget target, std::function<void()> wake)
    : target_(std::move(target)), wake_(std::move(wake)), thread_([this] { Run(); }) {}

OutboxListener::~OutboxListener() {
  stopping_ = true;
  thread_.join();
}

void OutboxListener::Run() {
  ConnHandle conn;
  auto next_attempt = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (!conn) {
      if (std::chrono::steady_clock::now() < next_attempt) {
        poll(nullptr, 0, kPollMs);
        continue;
      }
      next_attempt = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      ConnHandle fresh(Connect(target_));
      if (!fresh || Pq().status(fresh.get()) != CONNECTION_OK) continue;
      PGresult* listened = Pq().exec(fresh.get(), "LISTEN gatehouse_outbox");
      const bool ok = Pq().resultStatus(listened) == PGRES_COMMAND_OK;
      Pq().clear(listened);
      if (!ok) continue;
      conn = std::move(fresh);
      wake_();  // whatever was queued while we were not listening
    }
    pollfd fd{.fd = Pq().socket(conn.get()), .events = POLLIN, .revents = 0};
    if (poll(&fd, 1, kPollMs) <= 0) continue;
    if (Pq().consumeInput(conn.get()) == 0) {
      conn.reset();  // the server went away; reconnect (and wake) on the next turn
      continue;
    }
    bool notified = false;
    while (PGnotify* n = Pq().notifies(conn.get())) {
      Pq().freemem(n);
      notified = true;
    }
    if (notified) wake_();
  }
}

}  // namespace gh::store::postgres
