#include "store/sql/migrations.h"

#include <string>

#include "store/sql/statement.h"

namespace gh::store::sql {

Result<void> Migrate(Connection& db, std::span<const Migration> migrations, TimePoint now) {
  return Transact(db, TxMode::kWrite, [&]() -> Result<void> {
    GH_RETURN_IF_ERROR(LockExclusively(db, Lock::kMigrations));
    GH_RETURN_IF_ERROR(
        db.Script("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                  "applied_at BIGINT)"));
    GH_ASSIGN_OR_RETURN(auto current,
                        QueryOne(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                 [](const Row& r) { return r.Int(0); }));
    const int latest = migrations.back().version;
    if (*current > latest) {
      return Error::FailedPrecondition(Cat("database schema version ", std::to_string(*current),
                                           " is newer than this build (", std::to_string(latest),
                                           ")"));
    }
    for (const Migration& m : migrations) {
      if (m.version <= *current) continue;
      GH_RETURN_IF_ERROR(db.Script(m.sql));
      GH_RETURN_IF_ERROR(Execute(
          db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", m.version, now));
    }
    return Ok();
  });
}

}  // namespace gh::store::sql
