// The seam between the SQL store (store/sql/) and a database driver (store/sqlite/,
// store/postgres/): one connection that runs parameterised statements and hands back rows, and
// the few pieces of SQL in which the two databases differ.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace gh::store::sql {

// A value bound to one statement parameter. Only these three kinds reach the database: times
// are Unix seconds, lists are encoded by the row mapping (rows.h).
struct Param {
  enum class Kind { kText, kInt, kBool };
  Kind kind = Kind::kText;
  bool is_null = false;
  std::string_view text;
  std::int64_t number = 0;  // kInt, or kBool as 0/1
};

// One row of a result, read by column position.
class Row {
 public:
  virtual ~Row() = default;
  virtual bool IsNull(int col) const = 0;
  virtual std::string Text(int col) const = 0;
  virtual std::int64_t Int(int col) const = 0;
  virtual bool Bool(int col) const = 0;

  std::optional<std::string> OptionalText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  TimePoint Time(int col) const { return FromUnixSeconds(Int(col)); }
  std::optional<TimePoint> OptionalTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Time(col);
  }
};

// Where the two SQL dialects differ, as the fragments the store's statements are built from.
// Everything else the store writes is SQL both understand.
struct Dialect {
  // Opens a transaction that only reads, seeing one snapshot throughout.
  const char* begin_read;
  // Opens a transaction that will write: SQLite takes its write lock up front, so it is never
  // upgraded into SQLITE_BUSY halfway.
  const char* begin_write;
  // strpos(haystack, needle): 1-based position or 0.
  const char* find_in_text;
  // A FROM item with the elements of the JSON array text bound at its `?`, as columns `value`
  // (text) and `key` (position).
  const char* json_array_elements;
  // Appended to a SELECT that picks rows to claim, so that concurrent claimers skip each other's
  // rows instead of waiting on them (SQLite needs nothing: its writers take turns).
  const char* skip_locked;
  // A statement that takes a lock, named by the integer bound at its `?`, held until the
  // transaction ends: run first in a transaction whose check-then-write must not interleave
  // with another process's. Empty where a write transaction already excludes all others.
  const char* exclusive_lock;
  // Run after queueing logout notifications, inside the same transaction, to wake the
  // dispatchers of other processes; empty where there are none to wake.
  const char* outbox_wakeup;
};

// One database connection, used by one thread at a time (store/sql/pool.h lends them out).
// Statements use `?` or `?N` placeholders; a driver translates them if its database differs.
class Connection {
 public:
  virtual ~Connection() = default;

  // Called when a call borrows the connection, between calls and so never inside a transaction:
  // a driver whose connection was lost reconnects here. kUnavailable when it cannot.
  virtual Result<void> Ready() = 0;
  // Runs one statement, calling `on_row` for each row it returns. The number of rows it changed.
  // kAlreadyExists on a unique-key conflict, kUnavailable when the database fails.
  virtual Result<int> Run(std::string_view sql, std::span<const Param> params,
                          const std::function<void(const Row&)>& on_row) = 0;
  // Fixed multi-statement SQL without parameters (transaction control, migrations).
  virtual Result<void> Script(std::string_view sql) = 0;
  // Whether a transaction is open on this connection.
  virtual bool InTransaction() const = 0;
  virtual const Dialect& dialect() const = 0;
};

}  // namespace gh::store::sql
