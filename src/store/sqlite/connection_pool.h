// SqliteStore's connection pool and the lease one call holds on a connection: shared by the
// files that implement SqliteStore (sqlite_store.cc, sqlite_logout_store.cc, sqlite_saml_store.cc).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement.h"

namespace gh::store {

// The store's connections. Borrowing blocks while all are in use.
class SqliteStore::Pool {
 public:
  explicit Pool(std::vector<sqlite::DbHandle> dbs) : all_(std::move(dbs)) {
    for (const sqlite::DbHandle& db : all_) idle_.push_back(db.get());
  }

  sqlite3* Acquire() {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty(); });
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
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  sqlite3* get() const { return db_; }

 private:
  Pool* pool_;
  sqlite3* db_;
};

}  // namespace gh::store
