#include "store/sqlite/sqlite_store.h"

#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/sql/pool.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_connection.h"

namespace gh::store {

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, int pool_size,
                                               std::chrono::milliseconds acquire_wait) {
  if (pool_size < 1) return Error::InvalidArgument("sqlite: pool_size must be at least 1");
  std::vector<std::unique_ptr<sql::Connection>> connections;
  auto shared = std::make_shared<sqlite::SharedDatabase>();
  for (int i = 0; i < pool_size; ++i) {
    GH_ASSIGN_OR_RETURN(auto db, sqlite::SqliteConnection::Open(path));
    if (i == 0) {
      GH_RETURN_IF_ERROR(RetryWhileBusy(*db, acquire_wait, [&] {
        return sql::Migrate(*db, sqlite::Migrations(), SystemClock().Now());
      }));
      GH_ASSIGN_OR_RETURN(shared->checkpointer, sqlite::WalCheckpointer::Start(path));
    }
    db->JoinPool(shared);
    connections.push_back(std::move(db));
  }
  return std::unique_ptr<Store>(std::make_unique<sql::SqlStore>(
      std::make_shared<sql::ConnectionPool>(std::move(connections), acquire_wait),
      /*watch_outbox=*/nullptr));
}

}  // namespace gh::store
