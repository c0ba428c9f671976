#include "store/postgres/postgres_store.h"

#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/postgres/outbox_listener.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/schema.h"
#include "store/sql/pool.h"
#include "store/sql/sql_store.h"

namespace gh::store {

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresTarget& target, int pool_size,
                                                 std::chrono::milliseconds acquire_wait) {
  if (pool_size < 1) return Error::InvalidArgument("postgres: pool_size must be at least 1");
  std::vector<std::unique_ptr<sql::Connection>> connections;
  for (int i = 0; i < pool_size; ++i) {
    GH_ASSIGN_OR_RETURN(auto db, postgres::PgConnection::Open(target));
    if (i == 0) GH_RETURN_IF_ERROR(sql::Migrate(*db, postgres::Migrations(), SystemClock().Now()));
    connections.push_back(std::move(db));
  }
  auto watch_outbox = [target](std::function<void()> wake) -> std::unique_ptr<Subscription> {
    return std::make_unique<postgres::OutboxListener>(target, std::move(wake));
  };
  return std::unique_ptr<Store>(std::make_unique<sql::SqlStore>(
      std::make_shared<sql::ConnectionPool>(std::move(connections), acquire_wait),
      std::move(watch_outbox)));
}

}  // namespace gh::store
