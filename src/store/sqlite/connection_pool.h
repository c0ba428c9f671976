// SqliteStore's connection pool and the lease one call holds on a connection: shared by the
// files that implement SqliteStore (sqlite_store.cc, sqlite_logout_store.cc, sqlite_saml_store.cc).
#pragma once

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace gh::store {

// The store's connections. Borrowing waits while all are in use, for at most `wait`: a store
// that stays busy answers kUnavailable (503 to the client) rather than holding the request — and
// its worker thread — for ever.
class SqliteStore::Pool {
 public:
  Pool(std::vector<sqlite::DbHandle> dbs, std::chrono::milliseconds wait)
      : all_(std::move(dbs)), wait_(wait) {
    for (const sqlite::DbHandle& db : all_) idle_.push_back(db.get());
  }

  Result<sqlite3*> Acquire() {
    std::unique_lock lock(mu_);
    if (!available_.wait_for(lock, wait_, [&] { return !idle_.empty(); }))
      return Error::Unavailable("sqlite: every connection stayed busy for " +
                                std::to_string(wait_.count()) + " ms");
    sqlite3* db = idle_.back();
    idle_.pop_back();
    return db;
  }

  void Release(sqlite3* db) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(db);
    }
    available_.notify_one();
  }

 private:
  std::vector<sqlite::DbHandle> all_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<sqlite3*> idle_;
};

// One call's use of a connection: returned to the pool when the call ends. A transaction view's
// lease has no pool, because the connection belongs to the enclosing InTransaction.
class SqliteStore::Lease {
 public:
  Lease(Pool* pool, sqlite3* db) : pool_(pool), db_(db) {}
  ~Lease() {
    if (pool_ != nullptr) pool_->Release(db_);
  }
  Lease(Lease&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)), db_(other.db_) {}
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Lease& operator=(Lease&&) = delete;

  sqlite3* get() const { return db_; }

 private:
  Pool* pool_;
  sqlite3* db_;
};

}  // namespace gh::store
