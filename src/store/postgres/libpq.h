// LibPq: the libpq functions the PostgreSQL store calls, resolved from libpq.so.5 when the first
// PostgreSQL connection is opened instead of when the program starts. libpq brings GnuTLS,
// Kerberos, LDAP and SASL with it — 3.4 MB of resident pages in a server (docs/PERFORMANCE.md §
// Resident memory) — which a server on the embedded SQLite store never uses.
#pragma once

#include <libpq-fe.h>

#include "core/result.h"

namespace gh::store::postgres {

// Each function under its libpq name without the PQ prefix: pq.exec is PQexec.
// clang-format off
#define GH_LIBPQ_FUNCTIONS(X) \
  X(clear) X(cmdTuples) X(connectdbParams) X(consumeInput) X(errorMessage) X(exec) \
  X(execPrepared) X(finish) X(freemem) X(getisnull) X(getlength) X(getvalue) X(notifies) \
  X(ntuples) X(prepare) X(reset) X(resultErrorField) X(resultErrorMessage) X(resultStatus) \
  X(setNoticeProcessor) X(socket) X(status) X(transactionStatus)
// clang-format on

struct LibPq {
#define GH_LIBPQ_MEMBER(name) decltype(&::PQ##name) name = nullptr;
  GH_LIBPQ_FUNCTIONS(GH_LIBPQ_MEMBER)
#undef GH_LIBPQ_MEMBER
};

// Loads libpq once (thread-safe); kUnavailable when it is not installed or lacks a function.
Result<const LibPq*> LoadLibPq();

// The loaded functions: only after LoadLibPq() has succeeded, as every open connection implies.
const LibPq& Pq();

}  // namespace gh::store::postgres
