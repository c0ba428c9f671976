// The Store on one SQLite database file: the embedded default, for a single node.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace gh::store {

// Opens (creating if needed) the database at `path` in WAL mode with `pool_size` connections, so
// readers on different worker threads proceed in parallel while writers queue on SQLite's lock,
// and applies missing migrations. kUnavailable when the file cannot be opened or migrated;
// kInvalidArgument for a bad `pool_size`. A call that finds all connections busy for
// `acquire_wait` fails with kUnavailable.
Result<std::unique_ptr<Store>> OpenSqliteStore(
    const std::string& path, int pool_size = 4,
    std::chrono::milliseconds acquire_wait = std::chrono::seconds(5));

}  // namespace gh::store
