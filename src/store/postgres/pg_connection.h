// PgConnection: one PostgreSQL connection (libpq) as the SQL store's Connection.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/postgres/postgres_store.h"
#include "store/sql/connection.h"

struct pg_conn;

namespace gh::store::postgres {

class PgConnection final : public sql::Connection {
 public:
  // Connects to `target`. kUnavailable when the server
  // cannot be reached or refuses us.
  static Result<std::unique_ptr<PgConnection>> Open(const PostgresTarget& target);
  ~PgConnection() override;

  Result<void> Ready() override;
  Result<int> Run(std::string_view sql, std::span<const sql::Param> params,
                  const std::function<void(const sql::Row&)>& on_row) override;
  Result<void> Script(std::string_view sql) override;
  bool InTransaction() const override;
  const sql::Dialect& dialect() const override;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}

  pg_conn* conn_;
  // Statements prepared on this connection, by their SQL, named s1, s2, ...: parsing and
  // planning cost more than running most of the store's queries. A reconnection forgets them.
  std::unordered_map<std::string, std::string> prepared_;
};

// A new libpq connection to `target` with Gatehouse's defaults (a connect timeout, the
// application name), which the URL may override; check its PQstatus. nullptr only when out of
// memory.
pg_conn* Connect(const PostgresTarget& target);

// libpq's last error on `conn`, without its trailing newline.
std::string ConnectionMessage(pg_conn* conn);

// `sql` with its `?` and `?N` placeholders as PostgreSQL's `$N` (a bare `?` numbers after the
// highest so far, as in SQLite), string literals left alone; and how many parameters it takes.
struct TranslatedSql {
  std::string text;
  int params = 0;
};
TranslatedSql TranslatePlaceholders(std::string_view sql);

}  // namespace gh::store::postgres
