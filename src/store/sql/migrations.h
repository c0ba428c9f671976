// Versioned schema migrations, applied in order when a store opens.
#pragma once

#include <span>

#include "core/clock.h"
#include "core/result.h"
#include "store/sql/connection.h"

namespace gh::store::sql {

// A schema change, applied once in version order. Released steps are never edited: append one.
struct Migration {
  int version;
  const char* sql;
};

// Applies the migrations newer than the database's version, in one transaction (nodes starting
// together take turns). kFailedPrecondition when the database is newer than `migrations`.
Result<void> Migrate(Connection& db, std::span<const Migration> migrations, TimePoint now);

}  // namespace gh::store::sql
