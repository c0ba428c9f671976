// The SQLite store's schema, as versioned migrations applied in order on open.
#pragma once

#include <sqlite3.h>

#include "core/result.h"

namespace gh::store::sqlite {

// Brings the database to the newest schema this build knows, each step once, in one
// transaction. kFailedPrecondition for a database from a newer build.
Result<void> Migrate(sqlite3* db);

}  // namespace gh::store::sqlite
