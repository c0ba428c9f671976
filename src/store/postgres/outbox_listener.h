// OutboxListener: wakes this process's dispatcher when any node queues logout notifications,
// through PostgreSQL's LISTEN/NOTIFY, instead of leaving them until its next poll.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "store/postgres/postgres_store.h"
#include "store/store.h"

namespace gh::store::postgres {

// LISTENs on its own connection, on a thread of its own, and calls `wake` for every batch of
// notifications (the store's EnqueueNotifications sends one NOTIFY per sign-out, delivered when
// it commits). A lost connection is re-established, once a second at most, and `wake` is called
// after each reconnection because notifications sent meanwhile are gone.
class OutboxListener final : public Subscription {
 public:
  OutboxListener(PostgresTarget target, std::function<void()> wake);
  ~OutboxListener() override;
  OutboxListener(const OutboxListener&) = delete;
  OutboxListener& operator=(const OutboxListener&) = delete;

 private:
  void Run();

  const PostgresTarget target_;
  const std::function<void()> wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace gh::store::postgres
