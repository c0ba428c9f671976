// The SQLite store's statement layer: a per-connection cache of prepared statements, typed
// binding and reading, and transactions that nest as savepoints. Only the SQLite backend's own
// files include it; everything here speaks in the store's Result and Error.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace gh::store::sqlite {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// The statements prepared on one connection, kept for reuse: compiling SQL costs more than
// running most of the store's queries. A connection is used by one thread at a time (it is
// leased from the pool), so its cache needs no lock of its own; only the registry that finds the
// cache for a connection does.
using StatementCache =
    std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>>;

class CacheRegistry {
 public:
  static CacheRegistry& Instance() {
    static CacheRegistry registry;
    return registry;
  }
  void Add(sqlite3* db) {
    std::unique_lock lock(mu_);
    caches_.emplace(db, std::make_unique<StatementCache>());
  }
  // Finalizes the connection's statements, which must happen before it is closed.
  void Remove(sqlite3* db) {
    std::unique_lock lock(mu_);
    caches_.erase(db);
  }
  StatementCache* Find(sqlite3* db) {
    std::shared_lock lock(mu_);
    auto it = caches_.find(db);
    return it == caches_.end() ? nullptr : it->second.get();
  }

 private:
  std::shared_mutex mu_;
  std::unordered_map<sqlite3*, std::unique_ptr<StatementCache>> caches_;
};

struct DbCloser {
  void operator()(sqlite3* db) const {
    CacheRegistry::Instance().Remove(db);
    sqlite3_close_v2(db);
  }
};
// Owns one connection.
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// Returns a statement to its cache ready for the next use, or finalizes one that was prepared
// outside the cache.
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

// Unique-key conflicts are the caller's to handle (kAlreadyExists); anything else is the
// database failing us.
inline Error DbError(sqlite3* db, int rc) {
  std::string message = std::string("sqlite: ") + sqlite3_errmsg(db);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return Error::AlreadyExists(std::move(message));
  }
  return Error::Unavailable(std::move(message));
}

template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

// One prepared statement: values bound to its parameters in order, then stepped row by row.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool cached)
      : db_(db), stmt_(stmt, StatementRelease{cached}) {}

  template <class... Args>
  void BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
  }

  // true while a row is available.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return DbError(db_, bind_rc_);
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return DbError(db_, rc);
  }

  std::string Text(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    if (text == nullptr) return {};
    return std::string(text, sqlite3_column_bytes(stmt_.get(), col));
  }
  std::optional<std::string> OptionalText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  bool Bool(int col) const { return Int(col) != 0; }
  TimePoint Time(int col) const { return FromUnixSeconds(Int(col)); }
  std::optional<TimePoint> OptionalTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Time(col);
  }

 private:
  bool IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

  void Bind(int i, std::string_view v) {
    // A null data pointer would bind SQL NULL; an empty value must stay an empty string.
    Check(sqlite3_bind_text(stmt_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                            SQLITE_TRANSIENT));
  }
  void Bind(int i, const char* v) { Bind(i, std::string_view(v)); }
  void Bind(int i, std::int64_t v) { Check(sqlite3_bind_int64(stmt_.get(), i, v)); }
  void Bind(int i, int v) { Check(sqlite3_bind_int(stmt_.get(), i, v)); }
  void Bind(int i, bool v) { Check(sqlite3_bind_int(stmt_.get(), i, v ? 1 : 0)); }
  void Bind(int i, TimePoint v) { Bind(i, ToUnixSeconds(v)); }
  template <class T>
  void Bind(int i, const std::optional<T>& v) {
    if (v) {
      Bind(i, *v);
    } else {
      Check(sqlite3_bind_null(stmt_.get(), i));
    }
  }

  // Bind failures are reported by the next Step, keeping call sites to one error check.
  void Check(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StatementRelease> stmt_;
  int bind_rc_ = SQLITE_OK;
};

template <class... Args>
Result<Statement> Prepare(sqlite3* db, std::string_view sql, const Args&... args) {
  StatementCache* cache = CacheRegistry::Instance().Find(db);
  if (cache != nullptr) {
    auto it = cache->find(std::string(sql));
    // A statement still being stepped (a query nested in another's rows) cannot be shared.
    if (it != cache->end() && !sqlite3_stmt_busy(it->second.get())) {
      Statement stmt(db, it->second.get(), /*cached=*/true);
      stmt.BindAll(args...);
      return stmt;
    }
  }
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                         cache != nullptr ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return DbError(db, rc);
  }
  bool cached = cache != nullptr && cache->find(std::string(sql)) == cache->end();
  if (cached)
    cache->emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, StatementFinalizer>(raw));
  Statement stmt(db, raw, cached);
  stmt.BindAll(args...);
  return stmt;
}

// Every row `read` makes of the result of `sql`.
template <class Reader, class... Args>
auto QueryAll(sqlite3* db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::vector<std::invoke_result_t<Reader, const Statement&>>> {
  GH_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql, args...));
  std::vector<std::invoke_result_t<Reader, const Statement&>> rows;
  while (true) {
    GH_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return rows;
    rows.push_back(read(stmt));
  }
}

// The first row, for lookups by a unique key. Runs the statement to completion.
template <class Reader, class... Args>
auto QueryOne(sqlite3* db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::optional<std::invoke_result_t<Reader, const Statement&>>> {
  GH_ASSIGN_OR_RETURN(auto rows, QueryAll(db, sql, read, args...));
  using Row = typename decltype(rows)::value_type;
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

// Runs a statement that returns no rows; the number of rows it changed.
template <class... Args>
Result<int> Execute(sqlite3* db, std::string_view sql, const Args&... args) {
  GH_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql, args...));
  GH_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  while (has_row) {
    GH_ASSIGN_OR_RETURN(has_row, stmt.Step());
  }
  return sqlite3_changes(db);
}

// For updates addressed to one row that the contract expects to exist.
inline Result<void> RequireChanged(Result<int> changed, std::string what) {
  if (!changed.ok()) return Fail(std::move(changed).error());
  if (*changed == 0) return Error::NotFound(std::move(what));
  return Ok();
}

// Fixed multi-statement SQL (pragmas, migrations); never carries values.
inline Result<void> ExecScript(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return DbError(db, rc);
  return Ok();
}

enum class TxMode { kRead, kWrite };

// Runs `body` atomically on `db`. At top level that is BEGIN (IMMEDIATE for writes, so the write
// lock is taken up front and never upgraded into SQLITE_BUSY); inside an open transaction it is a
// savepoint, so these helpers compose with InTransaction and with each other.
template <class Body>
auto Transact(sqlite3* db, TxMode mode, const Body& body) -> decltype(body()) {
  const bool nested = sqlite3_get_autocommit(db) == 0;
  const char* begin =
      nested ? "SAVEPOINT gh_nested" : (mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  GH_RETURN_IF_ERROR(ExecScript(db, begin));
  // Errors are ignored: SQLite may already have rolled back on its own after some failures, and
  // the error that made us roll back is the one worth reporting.
  auto roll_back = [&] {
    sqlite3_exec(db, nested ? "ROLLBACK TO gh_nested; RELEASE gh_nested" : "ROLLBACK", nullptr,
                 nullptr, nullptr);
  };
  auto result = [&] {
    try {
      return body();
    } catch (...) {
      roll_back();
      throw;
    }
  }();
  if (!result.ok()) {
    roll_back();
    return result;
  }
  if (auto committed = ExecScript(db, nested ? "RELEASE gh_nested" : "COMMIT"); !committed.ok()) {
    roll_back();
    return Fail(std::move(committed).error());
  }
  return result;
}

}  // namespace gh::store::sqlite
