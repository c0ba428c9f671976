// The Store on a PostgreSQL database: the shared store for several Gatehouse nodes.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace gh::store {

// Where the database is: a libpq URI or key=value string, and the password when it is kept out
// of the URL (from a file).
struct PostgresTarget {
  std::string url;
  std::string password;  // empty: the URL's, or none
};

// Connects `pool_size` connections to the database at `target` and applies missing migrations, one
// node at a time. Connections lost later (a database restart) are re-established when next
// borrowed; until then calls fail with kUnavailable, as does a call that finds all connections busy
// for `acquire_wait`. kUnavailable when the database cannot be reached now; kInvalidArgument for a
// bad `pool_size`.
Result<std::unique_ptr<Store>> OpenPostgresStore(
    const PostgresTarget& target, int pool_size = 4,
    std::chrono::milliseconds acquire_wait = std::chrono::seconds(5));

}  // namespace gh::store
