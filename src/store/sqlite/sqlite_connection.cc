#include "store/sqlite/sqlite_connection.h"

#include <sqlite3.h>

#include "store/sql/statement.h"

namespace gh::store::sqlite {
namespace {

using sql::Cat;

// Long enough to ride out another connection's write transaction, short enough to surface a
// stuck database as kUnavailable rather than a hung worker.
constexpr int kBusyTimeoutMs = 5000;

constexpr sql::Dialect kDialect = {
    .begin_read = "BEGIN",
    .begin_write = "BEGIN IMMEDIATE",
    .find_in_text = "instr",
    .json_array_elements = "json_each(?)",
    .skip_locked = "",
    .exclusive_lock = "",
    .outbox_wakeup = "",
};

// A row of a statement being stepped.
class StatementRow final : public sql::Row {
 public:
  explicit StatementRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool IsNull(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (text == nullptr) return {};
    return std::string(text, sqlite3_column_bytes(stmt_, col));
  }
  std::int64_t Int(int col) const override { return sqlite3_column_int64(stmt_, col); }
  bool Bool(int col) const override { return Int(col) != 0; }

 private:
  sqlite3_stmt* stmt_;
};

// Returns a statement to the cache ready for its next use, or finalizes one prepared outside it.
struct StatementRelease {
  bool cached = false;
  void operator()(sqlite3_stmt* stmt) const {
    if (!cached) {
      sqlite3_finalize(stmt);
      return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

int Bind(sqlite3_stmt* stmt, int i, const sql::Param& p) {
  if (p.is_null) return sqlite3_bind_null(stmt, i);
  switch (p.kind) {
    case sql::Param::Kind::kText:
      // A null data pointer would bind SQL NULL; an empty value must stay an empty string.
      return sqlite3_bind_text(stmt, i, p.text.empty() ? "" : p.text.data(),
                               static_cast<int>(p.text.size()), SQLITE_TRANSIENT);
    case sql::Param::Kind::kInt:
    case sql::Param::Kind::kBool:
      return sqlite3_bind_int64(stmt, i, p.number);
  }
  return SQLITE_MISUSE;
}

}  // namespace

// SQLite's own handler (sqlite3_busy_timeout) sleeps 1, 2, 5, 10 … 100 ms between tries. A write
// transaction here lasts tens of microseconds, so a request that met one slept far longer than the
// lock was held, and under load every write queued behind such sleeps (1.5 sleeps per sign-in flow
// in strace). This one starts at 20 µs and doubles up to 1 ms.
int SqliteConnection::WaitForLock(void* self, int tries) {
  auto& busy_since = static_cast<SqliteConnection*>(self)->busy_since_;
  const auto now = std::chrono::steady_clock::now();
  if (tries == 0) busy_since = now;
  if (now - busy_since >= std::chrono::milliseconds(kBusyTimeoutMs)) return 0;
  constexpr int kDoublings = 5;  // 20 µs · 2^5 = 640 µs; every later wait is 1 ms
  std::this_thread::sleep_for(tries < kDoublings ? std::chrono::microseconds(20 << tries)
                                                 : std::chrono::microseconds(1000));
  return 1;
}

void SqliteConnection::StatementFinalizer::operator()(sqlite3_stmt* stmt) const {
  sqlite3_finalize(stmt);
}

void ConfigureSqliteForProcess() {
  // Refused (SQLITE_MISUSE) once SQLite is initialised, which only the first call finds it not.
  static const int configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)configured;
}

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path) {
  ConfigureSqliteForProcess();
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<SqliteConnection> db(new SqliteConnection(raw));
  if (rc != SQLITE_OK) {
    return Error::Unavailable(
        Cat("sqlite: cannot open ", path, ": ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_handler(raw, WaitForLock, db.get());
  GH_RETURN_IF_ERROR(db->Script("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"));
  GH_ASSIGN_OR_RETURN(auto mode,
                      RetryWhileBusy(*db, std::chrono::milliseconds(kBusyTimeoutMs), [&] {
                        return sql::QueryOne(*db, "PRAGMA journal_mode = WAL",
                                             [](const sql::Row& r) { return r.Text(0); });
                      }));
  if (*mode != "wal") return Error::Unavailable(Cat("sqlite: ", path, " cannot use WAL mode"));
  return db;
}

SqliteConnection::~SqliteConnection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

void SqliteConnection::JoinPool(std::shared_ptr<SharedDatabase> shared) {
  // Replaces the automatic checkpoint, which SQLite implements as a WAL hook of its own.
  sqlite3_wal_hook(db_, WalCheckpointer::OnCommit, shared->checkpointer.get());
  write_turn_ = std::unique_lock(shared->write_turn, std::defer_lock);
  shared_ = std::move(shared);
}

Result<void> SqliteConnection::TakeWriteTurn(std::unique_lock<std::timed_mutex>& turn) {
  if (turn.try_lock_for(std::chrono::milliseconds(kBusyTimeoutMs))) return Ok();
  return Error::Unavailable("sqlite: timed out waiting for another writer");
}

bool SqliteConnection::LastErrorWasBusy() const {
  return (sqlite3_extended_errcode(db_) & 0xff) == SQLITE_BUSY;
}

// Unique-key conflicts are the caller's to handle (kAlreadyExists); anything else is the
// database failing us.
Error SqliteConnection::DbError(int rc) const {
  std::string message = std::string("sqlite: ") + sqlite3_errmsg(db_);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
    return Error::AlreadyExists(std::move(message));
  return Error::Unavailable(std::move(message));
}

Result<int> SqliteConnection::Run(std::string_view sql, std::span<const sql::Param> params,
                                  const std::function<void(const sql::Row&)>& on_row) {
  sqlite3_stmt* raw = nullptr;
  auto it = cache_.find(std::string(sql));
  // A statement still being stepped (a query run from another's rows) cannot be shared.
  const bool reuse = it != cache_.end() && !sqlite3_stmt_busy(it->second.get());
  if (reuse) {
    raw = it->second.get();
  } else {
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(raw);
      return DbError(rc);
    }
  }
  const bool cache = !reuse && it == cache_.end();
  if (cache)
    cache_.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, StatementFinalizer>(raw));
  std::unique_ptr<sqlite3_stmt, StatementRelease> stmt(raw, StatementRelease{reuse || cache});

  for (int i = 0; i < static_cast<int>(params.size()); ++i) {
    if (const int rc = Bind(raw, i + 1, params[i]); rc != SQLITE_OK) return DbError(rc);
  }
  // A write outside a transaction is a transaction of its own, and waits for its turn like one.
  std::unique_lock<std::timed_mutex> turn;
  if (shared_ && !InTransaction() && !sqlite3_stmt_readonly(raw)) {
    turn = std::unique_lock(shared_->write_turn, std::defer_lock);
    GH_RETURN_IF_ERROR(TakeWriteTurn(turn));
  }
  const StatementRow row(raw);
  for (;;) {
    const int rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) return sqlite3_changes(db_);
    if (rc != SQLITE_ROW) return DbError(rc);
    on_row(row);
  }
}

Result<void> SqliteConnection::Script(std::string_view sql) {
  if (shared_ && sql == kDialect.begin_write) GH_RETURN_IF_ERROR(TakeWriteTurn(write_turn_));
  const std::string text(sql);
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  // The transaction has ended (COMMIT, ROLLBACK, or a BEGIN that failed): the next writer's turn.
  if (write_turn_.owns_lock() && !InTransaction()) write_turn_.unlock();
  if (rc != SQLITE_OK) return DbError(rc);
  return Ok();
}

bool SqliteConnection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

const sql::Dialect& SqliteConnection::dialect() const { return kDialect; }

}  // namespace gh::store::sqlite
