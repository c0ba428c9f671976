// SqliteConnection: one SQLite connection as the SQL store's Connection.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/sql/connection.h"
#include "store/sqlite/wal_checkpointer.h"

struct sqlite3;
struct sqlite3_stmt;

namespace gh::store::sqlite {

// Settings SQLite takes once per process, before its first connection: whoever opens one calls
// this first. Memory statistics are off — Gatehouse never reads them, and keeping them makes every
// allocation of every connection take one process-wide mutex (half the futex calls of a sign-in
// flow under load were workers queueing on it).
void ConfigureSqliteForProcess();

// What the pooled connections of one process to one database share.
struct SharedDatabase {
  // The turn to write, decided in-process: writers wait on this mutex for one another instead of
  // polling SQLite's lock (a writer in another process, such as the CLI, is still met by
  // SQLite's lock and WaitForLock). Timed, so that a thread which writes outside the transaction
  // it holds fails after the busy timeout, as it did against SQLite's lock, instead of hanging.
  std::timed_mutex write_turn;
  std::shared_ptr<WalCheckpointer> checkpointer;
};

class SqliteConnection final : public sql::Connection {
 public:
  // Opens `path` (creating it) in WAL mode. kUnavailable when it cannot be opened, or cannot use
  // WAL (in-memory and some special paths), which connections sharing one database need.
  static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path);
  ~SqliteConnection() override;

  Result<void> Ready() override { return Ok(); }
  Result<int> Run(std::string_view sql, std::span<const sql::Param> params,
                  const std::function<void(const sql::Row&)>& on_row) override;
  Result<void> Script(std::string_view sql) override;
  bool InTransaction() const override;
  const sql::Dialect& dialect() const override;

  // Whether the last failure was SQLite finding the database locked where it does not wait.
  bool LastErrorWasBusy() const;

  // Makes this connection one of a pool: it writes in its turn and leaves checkpoints to the
  // shared checkpointer instead of running them inside COMMIT. The connection keeps `shared` alive.
  void JoinPool(std::shared_ptr<SharedDatabase> shared);

 private:
  struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const;
  };
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  Error DbError(int rc) const;
  // sqlite3_busy_handler's callback: short waits while another connection holds a lock.
  static int WaitForLock(void* self, int tries);
  // Takes `turn` (on shared_->write_turn); kUnavailable after the busy timeout.
  Result<void> TakeWriteTurn(std::unique_lock<std::timed_mutex>& turn);

  sqlite3* db_;
  std::chrono::steady_clock::time_point busy_since_;  // when the current wait for a lock began
  std::shared_ptr<SharedDatabase> shared_;
  std::unique_lock<std::timed_mutex> write_turn_;  // held from BEGIN IMMEDIATE until its end
  // The statements prepared on this connection, kept for reuse: compiling SQL costs more than
  // running most of the store's queries. Finalized before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>> cache_;
};

// Processes opening a new database together (nodes starting at once) find it locked where SQLite
// does not wait — switching it to WAL, a lock upgrade that could deadlock — and get SQLITE_BUSY
// at once. Such a step is tried again until it succeeds, fails otherwise, or `wait` passes.
template <class Step>
auto RetryWhileBusy(const SqliteConnection& db, std::chrono::milliseconds wait, const Step& step)
    -> decltype(step()) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto result = step();
    if (result.ok() || !db.LastErrorWasBusy() || std::chrono::steady_clock::now() >= deadline)
      return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace gh::store::sqlite
