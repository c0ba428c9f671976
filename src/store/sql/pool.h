// ConnectionPool: the SQL store's connections, lent to one call at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/sql/connection.h"

namespace gh::store::sql {

// Borrowing waits while all connections are in use, for at most `wait`: a store that stays busy
// answers kUnavailable (503 to the client) rather than holding the request — and its worker
// thread — for ever.
class ConnectionPool {
 public:
  ConnectionPool(std::vector<std::unique_ptr<Connection>> connections,
                 std::chrono::milliseconds wait)
      : all_(std::move(connections)), wait_(wait) {
    for (const auto& c : all_) idle_.push_back(c.get());
  }

  Result<Connection*> Acquire() {
    std::unique_lock lock(mu_);
    if (!available_.wait_for(lock, wait_, [&] { return !idle_.empty(); }))
      return Error::Unavailable("store: every database connection stayed busy for " +
                                std::to_string(wait_.count()) + " ms");
    Connection* c = idle_.back();
    idle_.pop_back();
    lock.unlock();
    if (auto ready = c->Ready(); !ready.ok()) {
      Release(c);
      return Fail(std::move(ready).error());
    }
    return c;
  }

  void Release(Connection* c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    available_.notify_one();
  }

 private:
  std::vector<std::unique_ptr<Connection>> all_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<Connection*> idle_;
};

// One call's use of a connection, returned to the pool when the call ends. A transaction view's
// lease has no pool: its connection belongs to the enclosing InTransaction.
class Lease {
 public:
  Lease(ConnectionPool* pool, Connection* c) : pool_(pool), c_(c) {}
  ~Lease() {
    if (pool_ != nullptr) pool_->Release(c_);
  }
  Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), c_(other.c_) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease& operator=(Lease&&) = delete;

  Connection& operator*() const { return *c_; }
  Connection* operator->() const { return c_; }

 private:
  ConnectionPool* pool_;
  Connection* c_;
};

}  // namespace gh::store::sql
