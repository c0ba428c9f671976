// The PostgreSQL store's schema, as versioned migrations applied in order on open.
#pragma once

#include <span>

#include "store/sql/migrations.h"

namespace gh::store::postgres {

std::span<const sql::Migration> Migrations();

}  // namespace gh::store::postgres
