// The SQL store's statement vocabulary over any Connection: typed parameters, rows read into
// values, statements that only change rows, and transactions that nest as savepoints. Only the
// store's own files include it; everything here speaks in the store's Result and Error.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/sql/connection.h"

namespace gh::store::sql {

template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

// C++ values as statement parameters. A view into the caller's value: the statement runs before
// the call that bound it returns.
inline Param ToParam(std::string_view v) { return {.kind = Param::Kind::kText, .text = v}; }
inline Param ToParam(const char* v) { return ToParam(std::string_view(v)); }
inline Param ToParam(const std::string& v) { return ToParam(std::string_view(v)); }
inline Param ToParam(std::int64_t v) {
  return {.kind = Param::Kind::kInt, .text = {}, .number = v};
}
inline Param ToParam(int v) { return ToParam(static_cast<std::int64_t>(v)); }
inline Param ToParam(bool v) {
  return {.kind = Param::Kind::kBool, .text = {}, .number = v ? 1 : 0};
}
inline Param ToParam(TimePoint v) { return ToParam(ToUnixSeconds(v)); }
template <class T>
Param ToParam(const std::optional<T>& v) {
  if (v) return ToParam(*v);
  Param null = ToParam(T{});  // only for its kind: a typed NULL
  null.is_null = true;
  null.text = {};
  return null;
}

template <class... Args>
std::array<Param, sizeof...(Args)> Params(const Args&... args) {
  return {ToParam(args)...};
}

// Every row `read` makes of the result of `sql`.
template <class Reader, class... Args>
auto QueryAll(Connection& db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::vector<std::invoke_result_t<Reader, const Row&>>> {
  std::vector<std::invoke_result_t<Reader, const Row&>> rows;
  const auto params = Params(args...);
  GH_RETURN_IF_ERROR(db.Run(sql, params, [&](const Row& row) { rows.push_back(read(row)); }));
  return rows;
}

// The first row, for lookups by a unique key.
template <class Reader, class... Args>
auto QueryOne(Connection& db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::optional<std::invoke_result_t<Reader, const Row&>>> {
  GH_ASSIGN_OR_RETURN(auto rows, QueryAll(db, sql, read, args...));
  using Value = typename decltype(rows)::value_type;
  if (rows.empty()) return std::optional<Value>();
  return std::optional<Value>(std::move(rows.front()));
}

// Runs a statement for its effect; the number of rows it changed.
template <class... Args>
Result<int> Execute(Connection& db, std::string_view sql, const Args&... args) {
  const auto params = Params(args...);
  return db.Run(sql, params, [](const Row&) {});
}

// For updates addressed to one row that the contract expects to exist.
inline Result<void> RequireChanged(Result<int> changed, std::string what) {
  if (!changed.ok()) return Fail(std::move(changed).error());
  if (*changed == 0) return Error::NotFound(std::move(what));
  return Ok();
}

// The store's exclusive locks, one number each across every process sharing the database.
enum class Lock : std::int64_t {
  kMigrations = 1,  // processes opening one database together migrate it one at a time
  kFirstKey = 2,    // a node checks for a signing key before storing its first one
};

// Inside a write transaction: takes `lock` until it ends (Dialect::exclusive_lock), for a
// check-then-write that must not interleave with another process's.
inline Result<void> LockExclusively(Connection& db, Lock lock) {
  if (*db.dialect().exclusive_lock == '\0') return Ok();
  GH_RETURN_IF_ERROR(Execute(db, db.dialect().exclusive_lock, static_cast<std::int64_t>(lock)));
  return Ok();
}

enum class TxMode { kRead, kWrite };

// Runs `body` atomically on `db`: at top level in a transaction of its own, inside an open one
// as a savepoint, so these helpers compose with InTransaction and with each other.
template <class Body>
auto Transact(Connection& db, TxMode mode, const Body& body) -> decltype(body()) {
  const bool nested = db.InTransaction();
  const char* begin =
      nested ? "SAVEPOINT gh_nested"
             : (mode == TxMode::kWrite ? db.dialect().begin_write : db.dialect().begin_read);
  GH_RETURN_IF_ERROR(db.Script(begin));
  // Errors are ignored: the database may already have rolled back on its own after some
  // failures, and the error that made us roll back is the one worth reporting.
  auto roll_back = [&] {
    (void)db.Script(nested ? "ROLLBACK TO gh_nested; RELEASE gh_nested" : "ROLLBACK");
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
  if (auto committed = db.Script(nested ? "RELEASE gh_nested" : "COMMIT"); !committed.ok()) {
    roll_back();
    return Fail(std::move(committed).error());
  }
  return result;
}

}  // namespace gh::store::sql
