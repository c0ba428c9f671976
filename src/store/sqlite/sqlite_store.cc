#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <iterator>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace gh::store {
namespace {

// Long enough to ride out another connection's write transaction, short enough to surface a
// stuck database as kUnavailable rather than a hung worker.
constexpr int kBusyTimeoutMs = 5000;

// A schema change, applied once in version order. Released steps are never edited: append one.
struct Migration {
  int version;
  const char* sql;
};

// Times are Unix seconds. Client URI lists live in a child table (one row per entry, `position`
// keeping registration order) so each URI is stored byte for byte without an encoding.
// References between aggregates (sessions -> users, tokens -> clients, ...) are deliberately not
// foreign keys: the Store contract defines no error for a dangling reference, and a removed
// client's tokens stay until they expire and are purged.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE clients (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT,
  frontchannel_logout_uri TEXT,
  frontchannel_logout_session_required INTEGER NOT NULL,
  backchannel_logout_uri TEXT,
  backchannel_logout_session_required INTEGER NOT NULL,
  id_token_signed_response_alg TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE client_uris (
  client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('redirect', 'post_logout_redirect')),
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  PRIMARY KEY (client_id, kind, position)
) STRICT, WITHOUT ROWID;

CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
  sid TEXT NOT NULL PRIMARY KEY,
  key_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  ended_at INTEGER,
  end_cause TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_active_by_last_seen ON sessions (last_seen_at) WHERE ended_at IS NULL;
CREATE INDEX sessions_active_by_auth_time ON sessions (auth_time) WHERE ended_at IS NULL;

CREATE TABLE participants (
  sid TEXT NOT NULL,
  client_id TEXT NOT NULL,
  protocol TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  PRIMARY KEY (sid, client_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE authorization_codes (
  code_hash TEXT NOT NULL PRIMARY KEY,
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  user_id TEXT NOT NULL,
  sid TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  code_challenge_method TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  consumed INTEGER NOT NULL
) STRICT;
CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);

CREATE TABLE tokens (
  token_hash TEXT NOT NULL PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  user_id TEXT,
  sid TEXT,
  scope TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_by_grant ON tokens (grant_id);
CREATE INDEX tokens_by_sid ON tokens (sid);
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

CREATE TABLE signing_keys (
  kid TEXT NOT NULL PRIMARY KEY,
  alg TEXT NOT NULL,
  private_key_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retired_at INTEGER,
  unpublish_at INTEGER
) STRICT;

CREATE TABLE logout_notifications (
  id INTEGER PRIMARY KEY,
  sid TEXT NOT NULL,
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  delivered_at INTEGER
) STRICT;
CREATE INDEX logout_notifications_due ON logout_notifications (status, next_attempt_at);
CREATE INDEX logout_notifications_by_sid ON logout_notifications (sid);
)sql"},
    {2, R"sql(
ALTER TABLE sessions ADD COLUMN browser_state TEXT NOT NULL DEFAULT '';

CREATE TABLE logout_contexts (
  id_hash TEXT NOT NULL PRIMARY KEY,
  sid TEXT NOT NULL,
  client_id TEXT,
  post_logout_redirect_uri TEXT,
  state TEXT,
  ui_locales TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX logout_contexts_by_expiry ON logout_contexts (expires_at);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  type TEXT NOT NULL,
  sid TEXT NOT NULL,
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  detail TEXT NOT NULL
) STRICT;
)sql"},
    // Client lists gain two kinds (which a CHECK constraint cannot be altered to allow), so the
    // table is rebuilt under a name that fits values that are not all URIs.
    {3, R"sql(
CREATE TABLE client_values (
  client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
  kind TEXT NOT NULL
    CHECK (kind IN ('redirect', 'post_logout_redirect', 'web_origin', 'resource_server_for')),
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (client_id, kind, position)
) STRICT, WITHOUT ROWID;
INSERT INTO client_values (client_id, kind, position, value)
  SELECT client_id, kind, position, uri FROM client_uris;
DROP TABLE client_uris;

-- Retention: what the upkeep purges is found by index, not by scanning the history.
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;
CREATE INDEX logout_notifications_settled ON logout_notifications (created_at)
  WHERE status != 'pending';
CREATE INDEX events_by_time ON events (at);

CREATE TABLE consents (
  user_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, client_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX tokens_by_user ON tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE server_secrets (
  name TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql"},
};

struct StatementFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};

// The statements prepared on one connection, kept for reuse: compiling SQL costs more than
// running most of the store's queries. A connection is used by one thread at a time (it is
// leased from the pool), so its cache needs no lock of its own; only the registry that finds the
// cache for a connection does.
using StatementCache =
    std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, StatementFinalizer>>;

class CacheRegistry {
 public:
  static CacheRegistry& Instance() {
    static CacheRegistry registry;
    return registry;
  }
  void Add(sqlite3* db) {
    std::unique_lock lock(mu_);
    caches_.emplace(db, std::make_unique<StatementCache>());
  }
  // Finalizes the connection's statements, which must happen before it is closed.
  void Remove(sqlite3* db) {
    std::unique_lock lock(mu_);
    caches_.erase(db);
  }
  StatementCache* Find(sqlite3* db) {
    std::shared_lock lock(mu_);
    auto it = caches_.find(db);
    return it == caches_.end() ? nullptr : it->second.get();
  }

 private:
  std::shared_mutex mu_;
  std::unordered_map<sqlite3*, std::unique_ptr<StatementCache>> caches_;
};

struct DbCloser {
  void operator()(sqlite3* db) const {
    CacheRegistry::Instance().Remove(db);
    sqlite3_close_v2(db);
  }
};
// Owns one connection.
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

// Returns a statement to its cache ready for the next use, or finalizes one that was prepared
// outside the cache.
struct StatementRelease {
  bool cached = false;
  void operator()(sqlite3_stmt* stmt) const {
    if (!cached) {
      sqlite3_finalize(stmt);
      return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

// Unique-key conflicts are the caller's to handle (kAlreadyExists); anything else is the
// database failing us.
Error DbError(sqlite3* db, int rc) {
  std::string message = std::string("sqlite: ") + sqlite3_errmsg(db);
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return Error::AlreadyExists(std::move(message));
  }
  return Error::Unavailable(std::move(message));
}

template <class... Parts>
std::string Cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

// One prepared statement: values bound to its parameters in order, then stepped row by row.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool cached)
      : db_(db), stmt_(stmt, StatementRelease{cached}) {}

  template <class... Args>
  void BindAll(const Args&... args) {
    int index = 0;
    (Bind(++index, args), ...);
  }

  // true while a row is available.
  Result<bool> Step() {
    if (bind_rc_ != SQLITE_OK) return DbError(db_, bind_rc_);
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return DbError(db_, rc);
  }

  std::string Text(int col) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    if (text == nullptr) return {};
    return std::string(text, sqlite3_column_bytes(stmt_.get(), col));
  }
  std::optional<std::string> OptionalText(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Text(col);
  }
  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
  bool Bool(int col) const { return Int(col) != 0; }
  TimePoint Time(int col) const { return FromUnixSeconds(Int(col)); }
  std::optional<TimePoint> OptionalTime(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Time(col);
  }

 private:
  bool IsNull(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }

  void Bind(int i, std::string_view v) {
    // A null data pointer would bind SQL NULL; an empty value must stay an empty string.
    Check(sqlite3_bind_text(stmt_.get(), i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                            SQLITE_TRANSIENT));
  }
  void Bind(int i, const char* v) { Bind(i, std::string_view(v)); }
  void Bind(int i, std::int64_t v) { Check(sqlite3_bind_int64(stmt_.get(), i, v)); }
  void Bind(int i, int v) { Check(sqlite3_bind_int(stmt_.get(), i, v)); }
  void Bind(int i, bool v) { Check(sqlite3_bind_int(stmt_.get(), i, v ? 1 : 0)); }
  void Bind(int i, TimePoint v) { Bind(i, ToUnixSeconds(v)); }
  template <class T>
  void Bind(int i, const std::optional<T>& v) {
    if (v) {
      Bind(i, *v);
    } else {
      Check(sqlite3_bind_null(stmt_.get(), i));
    }
  }

  // Bind failures are reported by the next Step, keeping call sites to one error check.
  void Check(int rc) {
    if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  }

  sqlite3* db_;
  std::unique_ptr<sqlite3_stmt, StatementRelease> stmt_;
  int bind_rc_ = SQLITE_OK;
};

template <class... Args>
Result<Statement> Prepare(sqlite3* db, std::string_view sql, const Args&... args) {
  StatementCache* cache = CacheRegistry::Instance().Find(db);
  if (cache != nullptr) {
    auto it = cache->find(std::string(sql));
    // A statement still being stepped (a query nested in another's rows) cannot be shared.
    if (it != cache->end() && !sqlite3_stmt_busy(it->second.get())) {
      Statement stmt(db, it->second.get(), /*cached=*/true);
      stmt.BindAll(args...);
      return stmt;
    }
  }
  sqlite3_stmt* raw = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                         cache != nullptr ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(raw);
    return DbError(db, rc);
  }
  bool cached = cache != nullptr && cache->find(std::string(sql)) == cache->end();
  if (cached)
    cache->emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, StatementFinalizer>(raw));
  Statement stmt(db, raw, cached);
  stmt.BindAll(args...);
  return stmt;
}

// Every row `read` makes of the result of `sql`.
template <class Reader, class... Args>
auto QueryAll(sqlite3* db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::vector<std::invoke_result_t<Reader, const Statement&>>> {
  GH_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql, args...));
  std::vector<std::invoke_result_t<Reader, const Statement&>> rows;
  while (true) {
    GH_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return rows;
    rows.push_back(read(stmt));
  }
}

// The first row, for lookups by a unique key. Runs the statement to completion.
template <class Reader, class... Args>
auto QueryOne(sqlite3* db, std::string_view sql, Reader read, const Args&... args)
    -> Result<std::optional<std::invoke_result_t<Reader, const Statement&>>> {
  GH_ASSIGN_OR_RETURN(auto rows, QueryAll(db, sql, read, args...));
  using Row = typename decltype(rows)::value_type;
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

// Runs a statement that returns no rows; the number of rows it changed.
template <class... Args>
Result<int> Execute(sqlite3* db, std::string_view sql, const Args&... args) {
  GH_ASSIGN_OR_RETURN(Statement stmt, Prepare(db, sql, args...));
  GH_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  while (has_row) {
    GH_ASSIGN_OR_RETURN(has_row, stmt.Step());
  }
  return sqlite3_changes(db);
}

// For updates addressed to one row that the contract expects to exist.
Result<void> RequireChanged(Result<int> changed, std::string what) {
  if (!changed.ok()) return Fail(std::move(changed).error());
  if (*changed == 0) return Error::NotFound(std::move(what));
  return Ok();
}

// Fixed multi-statement SQL (pragmas, migrations); never carries values.
Result<void> ExecScript(sqlite3* db, const char* sql) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return DbError(db, rc);
  return Ok();
}

std::string NoNotification(std::int64_t id) {
  return Cat("no logout notification ", std::to_string(id));
}

enum class TxMode { kRead, kWrite };

// Runs `body` atomically on `db`. At top level that is BEGIN (IMMEDIATE for writes, so the write
// lock is taken up front and never upgraded into SQLITE_BUSY); inside an open transaction it is a
// savepoint, so these helpers compose with InTransaction and with each other.
template <class Body>
auto Transact(sqlite3* db, TxMode mode, const Body& body) -> decltype(body()) {
  const bool nested = sqlite3_get_autocommit(db) == 0;
  const char* begin =
      nested ? "SAVEPOINT gh_nested" : (mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  GH_RETURN_IF_ERROR(ExecScript(db, begin));
  // Errors are ignored: SQLite may already have rolled back on its own after some failures, and
  // the error that made us roll back is the one worth reporting.
  auto roll_back = [&] {
    sqlite3_exec(db, nested ? "ROLLBACK TO gh_nested; RELEASE gh_nested" : "ROLLBACK", nullptr,
                 nullptr, nullptr);
  };
  auto result = [&] {
    try {
      return body();
    } catch (...) {
      roll_back();
      throw;
    }
  }();
  if (!result.ok()) {
    roll_back();
    return result;
  }
  if (auto committed = ExecScript(db, nested ? "RELEASE gh_nested" : "COMMIT"); !committed.ok()) {
    roll_back();
    return Fail(std::move(committed).error());
  }
  return result;
}

Result<void> Migrate(sqlite3* db) {
  return Transact(db, TxMode::kWrite, [&]() -> Result<void> {
    GH_RETURN_IF_ERROR(ExecScript(db,
                                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  "version INTEGER PRIMARY KEY, applied_at INTEGER)"));
    GH_ASSIGN_OR_RETURN(auto current,
                        QueryOne(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                                 [](const Statement& s) { return s.Int(0); }));
    const int latest = kMigrations[std::size(kMigrations) - 1].version;
    if (*current > latest) {
      return Error::FailedPrecondition(Cat("database schema version ", std::to_string(*current),
                                           " is newer than this build (", std::to_string(latest),
                                           ")"));
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= *current) continue;
      GH_RETURN_IF_ERROR(ExecScript(db, m.sql));
      GH_RETURN_IF_ERROR(Execute(db,
                                 "INSERT INTO schema_migrations (version, applied_at) "
                                 "VALUES (?, CAST(strftime('%s', 'now') AS INTEGER))",
                                 m.version));
    }
    return Ok();
  });
}

Result<DbHandle> OpenConnection(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  DbHandle db(raw);
  if (rc != SQLITE_OK) {
    return Error::Unavailable(
        Cat("sqlite: cannot open ", path, ": ", raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  CacheRegistry::Instance().Add(db.get());
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  GH_RETURN_IF_ERROR(ExecScript(db.get(), "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL"));
  GH_ASSIGN_OR_RETURN(auto mode, QueryOne(db.get(), "PRAGMA journal_mode = WAL",
                                          [](const Statement& s) { return s.Text(0); }));
  // In-memory and some special paths cannot use WAL; they also cannot be shared by a pool.
  if (mode != "wal") return Error::Unavailable(Cat("sqlite: ", path, " cannot use WAL mode"));
  return db;
}

const char* TokenKindName(TokenKind kind) {
  return kind == TokenKind::kRefresh ? "refresh" : "access";
}

NotificationStatus ParseStatus(std::string_view name) {
  if (name == "delivered") return NotificationStatus::kDelivered;
  if (name == "failed") return NotificationStatus::kFailed;
  return NotificationStatus::kPending;
}

// Each k...Columns list goes with the Read... function that reads its columns by position.

constexpr char kClientColumns[] =
    "id, name, secret_hash, frontchannel_logout_uri, frontchannel_logout_session_required, "
    "backchannel_logout_uri, backchannel_logout_session_required, id_token_signed_response_alg, "
    "created_at";

// Without the lists, which LoadClientValues adds.
ClientRecord ReadClient(const Statement& s) {
  ClientRecord c;
  c.id = s.Text(0);
  c.name = s.Text(1);
  c.secret_hash = s.OptionalText(2);
  c.frontchannel_logout_uri = s.OptionalText(3);
  c.frontchannel_logout_session_required = s.Bool(4);
  c.backchannel_logout_uri = s.OptionalText(5);
  c.backchannel_logout_session_required = s.Bool(6);
  c.id_token_signed_response_alg = s.Text(7);
  c.created_at = s.Time(8);
  return c;
}

// The lists a client registration holds, each in its own `kind` of client_values rows.
struct ClientList {
  const char* kind;
  std::vector<std::string> ClientRecord::*member;
};
constexpr ClientList kClientLists[] = {
    {"redirect", &ClientRecord::redirect_uris},
    {"post_logout_redirect", &ClientRecord::post_logout_redirect_uris},
    {"web_origin", &ClientRecord::web_origins},
    {"resource_server_for", &ClientRecord::resource_server_for},
};

Result<void> InsertClientValues(sqlite3* db, const ClientRecord& client) {
  for (const ClientList& list : kClientLists) {
    const auto& values = client.*list.member;
    for (int position = 0; position < static_cast<int>(values.size()); ++position) {
      GH_RETURN_IF_ERROR(Execute(
          db, "INSERT INTO client_values (client_id, kind, position, value) VALUES (?, ?, ?, ?)",
          client.id, list.kind, position, values[position]));
    }
  }
  return Ok();
}

// Fills in the lists of `clients` with one query, whatever their number. `client_ids` is a
// subquery (with `args`) selecting the ids of the same clients.
template <class... Args>
Result<void> LoadClientValues(sqlite3* db, std::vector<ClientRecord>& clients,
                              std::string_view client_ids, const Args&... args) {
  if (clients.empty()) return Ok();
  std::unordered_map<std::string_view, ClientRecord*> by_id;
  for (ClientRecord& client : clients) by_id.emplace(client.id, &client);
  GH_ASSIGN_OR_RETURN(
      auto rows,
      QueryAll(
          db,
          Cat("SELECT client_id, kind, value FROM client_values WHERE client_id IN (", client_ids,
              ") ORDER BY client_id, kind, position"),
          [](const Statement& s) { return std::tuple(s.Text(0), s.Text(1), s.Text(2)); }, args...));
  for (auto& [client_id, kind, value] : rows) {
    auto it = by_id.find(client_id);
    if (it == by_id.end()) continue;
    for (const ClientList& list : kClientLists)
      if (kind == list.kind) ((*it->second).*list.member).push_back(std::move(value));
  }
  return Ok();
}

constexpr char kUserColumns[] = "id, username, password_hash, name, email, created_at";

UserRecord ReadUser(const Statement& s) {
  UserRecord u;
  u.id = s.Text(0);
  u.username = s.Text(1);
  u.password_hash = s.Text(2);
  u.name = s.Text(3);
  u.email = s.Text(4);
  u.created_at = s.Time(5);
  return u;
}

constexpr char kSessionColumns[] =
    "key_hash, sid, user_id, auth_time, created_at, last_seen_at, ended_at, end_cause, "
    "browser_state";

SessionRecord ReadSession(const Statement& s) {
  SessionRecord r;
  r.key_hash = s.Text(0);
  r.sid = s.Text(1);
  r.user_id = s.Text(2);
  r.auth_time = s.Time(3);
  r.created_at = s.Time(4);
  r.last_seen_at = s.Time(5);
  r.ended_at = s.OptionalTime(6);
  r.end_cause = s.Text(7);
  r.browser_state = s.Text(8);
  return r;
}

constexpr char kLogoutContextColumns[] =
    "id_hash, sid, client_id, post_logout_redirect_uri, state, ui_locales, created_at, "
    "expires_at, used_at";

LogoutContextRecord ReadLogoutContext(const Statement& s) {
  LogoutContextRecord r;
  r.id_hash = s.Text(0);
  r.sid = s.Text(1);
  r.client_id = s.OptionalText(2);
  r.post_logout_redirect_uri = s.OptionalText(3);
  r.state = s.OptionalText(4);
  r.ui_locales = s.OptionalText(5);
  r.created_at = s.Time(6);
  r.expires_at = s.Time(7);
  r.used_at = s.OptionalTime(8);
  return r;
}

constexpr char kEventColumns[] = "id, at, type, sid, user_id, client_id, detail";

EventRecord ReadEvent(const Statement& s) {
  EventRecord e;
  e.id = s.Int(0);
  e.at = s.Time(1);
  e.type = s.Text(2);
  e.sid = s.Text(3);
  e.user_id = s.Text(4);
  e.client_id = s.Text(5);
  e.detail = s.Text(6);
  return e;
}

constexpr char kParticipantColumns[] = "sid, client_id, protocol, first_seen_at, last_seen_at";

ParticipantRecord ReadParticipant(const Statement& s) {
  ParticipantRecord p;
  p.sid = s.Text(0);
  p.client_id = s.Text(1);
  p.protocol = s.Text(2);
  p.first_seen_at = s.Time(3);
  p.last_seen_at = s.Time(4);
  return p;
}

constexpr char kCodeColumns[] =
    "code_hash, grant_id, client_id, redirect_uri, user_id, sid, scope, nonce, code_challenge, "
    "code_challenge_method, auth_time, issued_at, expires_at, consumed";

AuthorizationCodeRecord ReadCode(const Statement& s) {
  AuthorizationCodeRecord c;
  c.code_hash = s.Text(0);
  c.grant_id = s.Text(1);
  c.client_id = s.Text(2);
  c.redirect_uri = s.Text(3);
  c.user_id = s.Text(4);
  c.sid = s.Text(5);
  c.scope = s.Text(6);
  c.nonce = s.OptionalText(7);
  c.code_challenge = s.OptionalText(8);
  c.code_challenge_method = s.Text(9);
  c.auth_time = s.Time(10);
  c.issued_at = s.Time(11);
  c.expires_at = s.Time(12);
  c.consumed = s.Bool(13);
  return c;
}

constexpr char kTokenColumns[] =
    "token_hash, kind, grant_id, client_id, user_id, sid, scope, issued_at, expires_at, revoked";

TokenRecord ReadToken(const Statement& s) {
  TokenRecord t;
  t.token_hash = s.Text(0);
  t.kind =
      s.Text(1) == TokenKindName(TokenKind::kRefresh) ? TokenKind::kRefresh : TokenKind::kAccess;
  t.grant_id = s.Text(2);
  t.client_id = s.Text(3);
  t.user_id = s.OptionalText(4);
  t.sid = s.OptionalText(5);
  t.scope = s.Text(6);
  t.issued_at = s.Time(7);
  t.expires_at = s.Time(8);
  t.revoked = s.Bool(9);
  return t;
}

constexpr char kKeyColumns[] = "kid, alg, private_key_pem, created_at, retired_at, unpublish_at";

SigningKeyRecord ReadKey(const Statement& s) {
  SigningKeyRecord k;
  k.kid = s.Text(0);
  k.alg = s.Text(1);
  k.private_key_pem = s.Text(2);
  k.created_at = s.Time(3);
  k.retired_at = s.OptionalTime(4);
  k.unpublish_at = s.OptionalTime(5);
  return k;
}

constexpr char kNotificationColumns[] =
    "id, sid, user_id, client_id, channel, status, attempts, last_error, created_at, "
    "next_attempt_at, lease_until, delivered_at";

LogoutNotificationRecord ReadNotification(const Statement& s) {
  LogoutNotificationRecord n;
  n.id = s.Int(0);
  n.sid = s.Text(1);
  n.user_id = s.Text(2);
  n.client_id = s.Text(3);
  n.channel = s.Text(4);
  n.status = ParseStatus(s.Text(5));
  n.attempts = static_cast<int>(s.Int(6));
  n.last_error = s.Text(7);
  n.created_at = s.Time(8);
  n.next_attempt_at = s.Time(9);
  n.lease_until = s.OptionalTime(10);
  n.delivered_at = s.OptionalTime(11);
  return n;
}

}  // namespace

// The store's connections. Borrowing blocks while all are in use.
class SqliteStore::Pool {
 public:
  explicit Pool(std::vector<DbHandle> dbs) : all_(std::move(dbs)) {
    for (const DbHandle& db : all_) idle_.push_back(db.get());
  }

  sqlite3* Acquire() {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !idle_.empty(); });
    sqlite3* db = idle_.back();
    idle_.pop_back();
    return db;
  }

  void Release(sqlite3* db) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(db);
    }
    available_.notify_one();
  }

 private:
  std::vector<DbHandle> all_;
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<sqlite3*> idle_;
};

// One call's use of a connection: returned to the pool when the call ends. A transaction view's
// lease has no pool, because the connection belongs to the enclosing InTransaction.
class SqliteStore::Lease {
 public:
  Lease(Pool* pool, sqlite3* db) : pool_(pool), db_(db) {}
  ~Lease() {
    if (pool_ != nullptr) pool_->Release(db_);
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  sqlite3* get() const { return db_; }

 private:
  Pool* pool_;
  sqlite3* db_;
};

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, int pool_size) {
  if (pool_size < 1) return Error::InvalidArgument("sqlite: pool_size must be at least 1");
  std::vector<DbHandle> dbs;
  for (int i = 0; i < pool_size; ++i) {
    GH_ASSIGN_OR_RETURN(DbHandle db, OpenConnection(path));
    if (i == 0) GH_RETURN_IF_ERROR(Migrate(db.get()));
    dbs.push_back(std::move(db));
  }
  return std::unique_ptr<SqliteStore>(
      new SqliteStore(std::make_shared<Pool>(std::move(dbs)), nullptr));
}

SqliteStore::SqliteStore(std::shared_ptr<Pool> pool, sqlite3* tx_db)
    : pool_(std::move(pool)), tx_db_(tx_db) {}

SqliteStore::~SqliteStore() = default;

SqliteStore::Lease SqliteStore::Borrow() {
  if (tx_db_ != nullptr) return Lease(nullptr, tx_db_);
  return Lease(pool_.get(), pool_->Acquire());
}

Result<void> SqliteStore::InTransaction(const std::function<Result<void>(Store& tx)>& body) {
  Lease db = Borrow();
  SqliteStore view(pool_, db.get());
  return Transact(db.get(), TxMode::kWrite, [&] { return body(view); });
}

// Server secrets

Result<std::string> SqliteStore::ServerSecret(std::string_view name, std::string_view candidate,
                                              TimePoint now) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<std::string> {
    GH_RETURN_IF_ERROR(Execute(db.get(),
                               "INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, "
                               "?) ON CONFLICT (name) DO NOTHING",
                               name, candidate, now));
    GH_ASSIGN_OR_RETURN(auto value, QueryOne(
                                        db.get(), "SELECT value FROM server_secrets WHERE name = ?",
                                        [](const Statement& s) { return s.Text(0); }, name));
    return value.value_or("");
  });
}

// Clients

Result<void> SqliteStore::PutClient(const ClientRecord& c) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<void> {
    GH_RETURN_IF_ERROR(Execute(
        db.get(),
        Cat("INSERT INTO clients (", kClientColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"), c.id,
        c.name, c.secret_hash, c.frontchannel_logout_uri, c.frontchannel_logout_session_required,
        c.backchannel_logout_uri, c.backchannel_logout_session_required,
        c.id_token_signed_response_alg, c.created_at));
    return InsertClientValues(db.get(), c);
  });
}

Result<std::optional<ClientRecord>> SqliteStore::FindClient(std::string_view id) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kRead, [&]() -> Result<std::optional<ClientRecord>> {
    GH_ASSIGN_OR_RETURN(
        auto clients,
        QueryAll(db.get(), Cat("SELECT ", kClientColumns, " FROM clients WHERE id = ?"), ReadClient,
                 id));
    GH_RETURN_IF_ERROR(LoadClientValues(db.get(), clients, "?", id));
    if (clients.empty()) return std::optional<ClientRecord>();
    return std::optional(std::move(clients.front()));
  });
}

Result<std::vector<ClientRecord>> SqliteStore::ListClients() {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kRead, [&]() -> Result<std::vector<ClientRecord>> {
    GH_ASSIGN_OR_RETURN(
        auto clients,
        QueryAll(db.get(), Cat("SELECT ", kClientColumns, " FROM clients ORDER BY id"),
                 ReadClient));
    GH_RETURN_IF_ERROR(LoadClientValues(db.get(), clients, "SELECT id FROM clients"));
    return clients;
  });
}

Result<bool> SqliteStore::RemoveClient(std::string_view id) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(int removed, Execute(db.get(), "DELETE FROM clients WHERE id = ?", id));
  return removed > 0;
}

// Users

Result<void> SqliteStore::PutUser(const UserRecord& u) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(
      Execute(db.get(), Cat("INSERT INTO users (", kUserColumns, ") VALUES (?, ?, ?, ?, ?, ?)"),
              u.id, u.username, u.password_hash, u.name, u.email, u.created_at));
  return Ok();
}

Result<std::optional<UserRecord>> SqliteStore::FindUserById(std::string_view id) {
  Lease db = Borrow();
  return QueryOne(db.get(), Cat("SELECT ", kUserColumns, " FROM users WHERE id = ?"), ReadUser, id);
}

Result<std::optional<UserRecord>> SqliteStore::FindUserByUsername(std::string_view username) {
  Lease db = Borrow();
  return QueryOne(db.get(), Cat("SELECT ", kUserColumns, " FROM users WHERE username = ?"),
                  ReadUser, username);
}

Result<std::vector<UserRecord>> SqliteStore::ListUsers() {
  Lease db = Borrow();
  return QueryAll(db.get(), Cat("SELECT ", kUserColumns, " FROM users ORDER BY username"),
                  ReadUser);
}

// Sessions

Result<void> SqliteStore::CreateSession(const SessionRecord& s) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(Execute(
      db.get(),
      Cat("INSERT INTO sessions (", kSessionColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
      s.key_hash, s.sid, s.user_id, s.auth_time, s.created_at, s.last_seen_at, s.ended_at,
      s.end_cause, s.browser_state));
  return Ok();
}

Result<std::optional<SessionRecord>> SqliteStore::FindSessionByKeyHash(std::string_view key_hash) {
  Lease db = Borrow();
  return QueryOne(db.get(), Cat("SELECT ", kSessionColumns, " FROM sessions WHERE key_hash = ?"),
                  ReadSession, key_hash);
}

Result<std::optional<SessionRecord>> SqliteStore::FindSessionBySid(std::string_view sid) {
  Lease db = Borrow();
  return QueryOne(db.get(), Cat("SELECT ", kSessionColumns, " FROM sessions WHERE sid = ?"),
                  ReadSession, sid);
}

Result<void> SqliteStore::TouchSession(std::string_view sid, TimePoint last_seen_at) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(
      Execute(db.get(), "UPDATE sessions SET last_seen_at = ? WHERE sid = ? AND ended_at IS NULL",
              last_seen_at, sid));
  return Ok();
}

Result<int> SqliteStore::PurgeEndedSessions(TimePoint cutoff) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<int> {
    GH_RETURN_IF_ERROR(Execute(db.get(),
                               "DELETE FROM participants WHERE sid IN (SELECT sid FROM sessions "
                               "WHERE ended_at IS NOT NULL AND ended_at < ?)",
                               cutoff));
    return Execute(db.get(), "DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?",
                   cutoff);
  });
}

Result<bool> SqliteStore::ReauthenticateSession(std::string_view sid, std::string_view key_hash,
                                                TimePoint auth_time) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(
      int changed, Execute(db.get(),
                           "UPDATE sessions SET key_hash = ?1, auth_time = ?2, last_seen_at = ?2 "
                           "WHERE sid = ?3 AND ended_at IS NULL",
                           key_hash, auth_time, sid));
  return changed > 0;
}

Result<bool> SqliteStore::EndSession(std::string_view sid, std::string_view cause, TimePoint at) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(
      int ended,
      Execute(db.get(),
              "UPDATE sessions SET ended_at = ?, end_cause = ? WHERE sid = ? AND ended_at IS NULL",
              at, cause, sid));
  return ended > 0;
}

Result<std::vector<SessionRecord>> SqliteStore::ListSessions(std::string_view user_id,
                                                             bool include_ended) {
  Lease db = Borrow();
  const std::string select = Cat("SELECT ", kSessionColumns, " FROM sessions WHERE ");
  constexpr char kFilterAndOrder[] =
      "(?1 OR ended_at IS NULL) ORDER BY created_at DESC, rowid DESC";
  if (user_id.empty()) {
    return QueryAll(db.get(), Cat(select, kFilterAndOrder), ReadSession, include_ended);
  }
  return QueryAll(db.get(), Cat(select, "user_id = ?2 AND ", kFilterAndOrder), ReadSession,
                  include_ended, user_id);
}

Result<std::vector<SessionRecord>> SqliteStore::FindExpiredSessions(TimePoint idle_cutoff,
                                                                    TimePoint absolute_cutoff,
                                                                    int limit) {
  Lease db = Borrow();
  return QueryAll(
      db.get(),
      Cat("SELECT ", kSessionColumns,
          " FROM sessions WHERE ended_at IS NULL AND (last_seen_at < ? OR auth_time < ?)"
          " ORDER BY last_seen_at, sid LIMIT ?"),
      ReadSession, idle_cutoff, absolute_cutoff, limit);
}

Result<void> SqliteStore::AddParticipant(const ParticipantRecord& p) {
  Lease db = Borrow();
  // MAX keeps last_seen_at from moving backwards when concurrent requests land out of order.
  GH_RETURN_IF_ERROR(
      Execute(db.get(),
              Cat("INSERT INTO participants (", kParticipantColumns,
                  ") VALUES (?, ?, ?, ?, ?) ON CONFLICT (sid, client_id) DO UPDATE SET "
                  "last_seen_at = MAX(last_seen_at, excluded.last_seen_at)"),
              p.sid, p.client_id, p.protocol, p.first_seen_at, p.last_seen_at));
  return Ok();
}

Result<std::vector<ParticipantRecord>> SqliteStore::ListParticipants(std::string_view sid) {
  Lease db = Borrow();
  return QueryAll(db.get(),
                  Cat("SELECT ", kParticipantColumns,
                      " FROM participants WHERE sid = ? ORDER BY first_seen_at, client_id"),
                  ReadParticipant, sid);
}

Result<std::vector<ClientRecord>> SqliteStore::ListParticipantClients(std::string_view sid) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kRead, [&]() -> Result<std::vector<ClientRecord>> {
    constexpr char kParticipantIds[] = "SELECT client_id FROM participants WHERE sid = ?";
    GH_ASSIGN_OR_RETURN(auto clients,
                        QueryAll(db.get(),
                                 Cat("SELECT ", kClientColumns, " FROM clients WHERE id IN (",
                                     kParticipantIds, ") ORDER BY id"),
                                 ReadClient, sid));
    GH_RETURN_IF_ERROR(LoadClientValues(db.get(), clients, kParticipantIds, sid));
    return clients;
  });
}

// Codes and tokens

Result<void> SqliteStore::PutCode(const AuthorizationCodeRecord& c) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(Execute(db.get(),
                             Cat("INSERT INTO authorization_codes (", kCodeColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             c.code_hash, c.grant_id, c.client_id, c.redirect_uri, c.user_id, c.sid,
                             c.scope, c.nonce, c.code_challenge, c.code_challenge_method,
                             c.auth_time, c.issued_at, c.expires_at, c.consumed));
  return Ok();
}

Result<std::optional<AuthorizationCodeRecord>> SqliteStore::ConsumeCode(
    std::string_view code_hash) {
  Lease db = Borrow();
  // Only one caller's UPDATE can match `consumed = 0`; everyone else reads the consumed row.
  GH_ASSIGN_OR_RETURN(auto won, QueryOne(db.get(),
                                         Cat("UPDATE authorization_codes SET consumed = 1 "
                                             "WHERE code_hash = ? AND consumed = 0 RETURNING ",
                                             kCodeColumns),
                                         ReadCode, code_hash));
  if (won) {
    won->consumed = false;  // RETURNING shows the row after the update.
    return won;
  }
  return QueryOne(db.get(),
                  Cat("SELECT ", kCodeColumns, " FROM authorization_codes WHERE code_hash = ?"),
                  ReadCode, code_hash);
}

Result<void> SqliteStore::PutToken(const TokenRecord& t) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(
      Execute(db.get(),
              Cat("INSERT INTO tokens (", kTokenColumns, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
              t.token_hash, TokenKindName(t.kind), t.grant_id, t.client_id, t.user_id, t.sid,
              t.scope, t.issued_at, t.expires_at, t.revoked));
  return Ok();
}

Result<std::optional<TokenRecord>> SqliteStore::FindToken(std::string_view token_hash) {
  Lease db = Borrow();
  return QueryOne(db.get(), Cat("SELECT ", kTokenColumns, " FROM tokens WHERE token_hash = ?"),
                  ReadToken, token_hash);
}

Result<bool> SqliteStore::RevokeToken(std::string_view token_hash) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(
      int revoked,
      Execute(db.get(), "UPDATE tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
              token_hash));
  return revoked > 0;
}

Result<int> SqliteStore::RevokeGrant(std::string_view grant_id) {
  Lease db = Borrow();
  return Execute(db.get(), "UPDATE tokens SET revoked = 1 WHERE grant_id = ? AND revoked = 0",
                 grant_id);
}

Result<int> SqliteStore::RevokeSessionCredentials(std::string_view sid, bool keep_offline) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<int> {
    GH_ASSIGN_OR_RETURN(int codes,
                        Execute(db.get(), "DELETE FROM authorization_codes WHERE sid = ?", sid));
    // Padding with spaces makes instr() match the whole scope word only; LIKE would treat the
    // underscore in offline_access as a wildcard.
    GH_ASSIGN_OR_RETURN(
        int tokens,
        Execute(db.get(),
                "UPDATE tokens SET revoked = 1 WHERE sid = ?1 AND revoked = 0 AND NOT (?2 AND "
                "kind = 'refresh' AND instr(' ' || scope || ' ', ' offline_access ') > 0)",
                sid, keep_offline));
    return codes + tokens;
  });
}

Result<int> SqliteStore::RevokeOfflineGrants(std::string_view user_id,
                                             std::optional<std::string_view> client_id) {
  Lease db = Borrow();
  // The grants are found by their offline refresh tokens; every token of such a grant goes.
  return Execute(db.get(),
                 "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND grant_id IN ("
                 "SELECT grant_id FROM tokens WHERE user_id = ?1 AND kind = 'refresh' "
                 "AND (?2 IS NULL OR client_id = ?2) "
                 "AND instr(' ' || scope || ' ', ' offline_access ') > 0)",
                 user_id, client_id ? std::optional<std::string>(*client_id) : std::nullopt);
}

// Consents

namespace {

constexpr char kConsentColumns[] = "user_id, client_id, scope, granted_at";

ConsentRecord ReadConsent(const Statement& s) {
  return ConsentRecord{s.Text(0), s.Text(1), s.Text(2), s.Time(3)};
}

}  // namespace

Result<void> SqliteStore::PutConsent(const ConsentRecord& c) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(Execute(db.get(),
                             Cat("INSERT INTO consents (", kConsentColumns,
                                 ") VALUES (?, ?, ?, ?) ON CONFLICT (user_id, client_id) DO "
                                 "UPDATE SET scope = excluded.scope, granted_at = "
                                 "excluded.granted_at"),
                             c.user_id, c.client_id, c.scope, c.granted_at));
  return Ok();
}

Result<std::optional<ConsentRecord>> SqliteStore::FindConsent(std::string_view user_id,
                                                              std::string_view client_id) {
  Lease db = Borrow();
  return QueryOne(
      db.get(),
      Cat("SELECT ", kConsentColumns, " FROM consents WHERE user_id = ? AND client_id = ?"),
      ReadConsent, user_id, client_id);
}

Result<std::vector<ConsentRecord>> SqliteStore::ListConsents(std::string_view user_id) {
  Lease db = Borrow();
  return QueryAll(
      db.get(),
      Cat("SELECT ", kConsentColumns, " FROM consents WHERE user_id = ? ORDER BY client_id"),
      ReadConsent, user_id);
}

Result<bool> SqliteStore::RemoveConsent(std::string_view user_id, std::string_view client_id) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(int removed,
                      Execute(db.get(), "DELETE FROM consents WHERE user_id = ? AND client_id = ?",
                              user_id, client_id));
  return removed > 0;
}

Result<int> SqliteStore::PurgeExpired(TimePoint cutoff) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<int> {
    GH_ASSIGN_OR_RETURN(
        int codes,
        Execute(db.get(), "DELETE FROM authorization_codes WHERE expires_at < ?", cutoff));
    GH_ASSIGN_OR_RETURN(int tokens,
                        Execute(db.get(), "DELETE FROM tokens WHERE expires_at < ?", cutoff));
    return codes + tokens;
  });
}

// Signing keys

Result<void> SqliteStore::PutKey(const SigningKeyRecord& k) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(Execute(
      db.get(), Cat("INSERT INTO signing_keys (", kKeyColumns, ") VALUES (?, ?, ?, ?, ?, ?)"),
      k.kid, k.alg, k.private_key_pem, k.created_at, k.retired_at, k.unpublish_at));
  return Ok();
}

Result<std::vector<SigningKeyRecord>> SqliteStore::ListKeys() {
  Lease db = Borrow();
  return QueryAll(db.get(),
                  Cat("SELECT ", kKeyColumns, " FROM signing_keys ORDER BY created_at, rowid"),
                  ReadKey);
}

Result<void> SqliteStore::UpdateKey(const SigningKeyRecord& k) {
  Lease db = Borrow();
  return RequireChanged(
      Execute(db.get(),
              "UPDATE signing_keys SET alg = ?2, private_key_pem = ?3, created_at = ?4, "
              "retired_at = ?5, unpublish_at = ?6 WHERE kid = ?1",
              k.kid, k.alg, k.private_key_pem, k.created_at, k.retired_at, k.unpublish_at),
      Cat("no signing key ", k.kid));
}

// Logout outbox

Result<std::vector<std::int64_t>> SqliteStore::EnqueueNotifications(
    const LogoutNotificationRecord& each, std::span<const std::string> client_ids) {
  if (client_ids.empty()) return std::vector<std::int64_t>();
  // One statement for the whole batch, the client ids passed as one JSON array: per-row
  // statements cost several times the insert itself, and a sign-out may enqueue a thousand.
  const std::string ids_json = nlohmann::json(client_ids).dump();
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<std::vector<std::int64_t>> {
    GH_ASSIGN_OR_RETURN(
        auto ids,
        QueryAll(
            db.get(),
            "INSERT INTO logout_notifications (sid, user_id, client_id, channel, status, "
            "attempts, last_error, created_at, next_attempt_at, lease_until, delivered_at) "
            "SELECT ?, ?, value, ?, 'pending', ?, ?, ?, ?, ?, ? "
            "FROM json_each(?) ORDER BY key RETURNING id",
            [](const Statement& s) { return s.Int(0); }, each.sid, each.user_id, each.channel,
            each.attempts, each.last_error, each.created_at, each.next_attempt_at, each.lease_until,
            each.delivered_at, ids_json));
    if (ids.size() != client_ids.size())
      return Error::Internal("sqlite: the insert returned the wrong number of ids");
    // Rows are inserted in the array's order with increasing ids, but RETURNING promises no
    // order: sorted, the ids line up with `client_ids` again.
    std::sort(ids.begin(), ids.end());
    return ids;
  });
}

Result<std::vector<LogoutNotificationRecord>> SqliteStore::ClaimDueNotifications(
    TimePoint now, TimePoint lease_until, int limit) {
  Lease db = Borrow();
  return Transact(db.get(), TxMode::kWrite, [&]() -> Result<std::vector<LogoutNotificationRecord>> {
    GH_ASSIGN_OR_RETURN(
        auto claimed,
        QueryAll(db.get(),
                 Cat("UPDATE logout_notifications SET lease_until = ?1 WHERE id IN ("
                     "SELECT id FROM logout_notifications WHERE status = 'pending' AND "
                     "next_attempt_at <= ?2 AND (lease_until IS NULL OR lease_until <= ?2) "
                     "ORDER BY next_attempt_at, id LIMIT ?3) RETURNING ",
                     kNotificationColumns),
                 ReadNotification, lease_until, now, limit));
    // RETURNING does not promise an order.
    std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) {
      return std::pair(a.next_attempt_at, a.id) < std::pair(b.next_attempt_at, b.id);
    });
    return claimed;
  });
}

Result<void> SqliteStore::MarkDelivered(std::int64_t id, TimePoint at, int attempts) {
  Lease db = Borrow();
  return RequireChanged(
      Execute(db.get(),
              "UPDATE logout_notifications SET status = 'delivered', delivered_at = ?, "
              "attempts = ?, lease_until = NULL WHERE id = ?",
              at, attempts, id),
      NoNotification(id));
}

Result<void> SqliteStore::MarkRetry(std::int64_t id, TimePoint next_attempt_at, int attempts,
                                    std::string_view error) {
  Lease db = Borrow();
  return RequireChanged(
      Execute(db.get(),
              "UPDATE logout_notifications SET next_attempt_at = ?, attempts = ?, "
              "last_error = ?, lease_until = NULL WHERE id = ?",
              next_attempt_at, attempts, error, id),
      NoNotification(id));
}

Result<void> SqliteStore::MarkFailed(std::int64_t id, int attempts, std::string_view error) {
  Lease db = Borrow();
  return RequireChanged(
      Execute(db.get(),
              "UPDATE logout_notifications SET status = 'failed', attempts = ?, last_error = ?, "
              "lease_until = NULL WHERE id = ?",
              attempts, error, id),
      NoNotification(id));
}

Result<std::vector<LogoutNotificationRecord>> SqliteStore::ListNotifications(
    std::optional<std::string> sid, int limit) {
  Lease db = Borrow();
  const std::string select = Cat("SELECT ", kNotificationColumns, " FROM logout_notifications ");
  if (sid) {
    return QueryAll(db.get(), Cat(select, "WHERE sid = ? ORDER BY id DESC LIMIT ?"),
                    ReadNotification, *sid, limit);
  }
  return QueryAll(db.get(), Cat(select, "ORDER BY id DESC LIMIT ?"), ReadNotification, limit);
}

Result<NotificationCounts> SqliteStore::CountNotifications() {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(
      auto rows,
      QueryAll(db.get(), "SELECT status, COUNT(*) FROM logout_notifications GROUP BY status",
               [](const Statement& s) { return std::pair(ParseStatus(s.Text(0)), s.Int(1)); }));
  NotificationCounts counts;
  for (const auto& [status, n] : rows) {
    switch (status) {
      case NotificationStatus::kPending:
        counts.pending = n;
        break;
      case NotificationStatus::kDelivered:
        counts.delivered = n;
        break;
      case NotificationStatus::kFailed:
        counts.failed = n;
        break;
    }
  }
  return counts;
}

// Logout contexts

Result<void> SqliteStore::PutLogoutContext(const LogoutContextRecord& c) {
  Lease db = Borrow();
  GH_RETURN_IF_ERROR(Execute(db.get(),
                             Cat("INSERT INTO logout_contexts (", kLogoutContextColumns,
                                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                             c.id_hash, c.sid, c.client_id, c.post_logout_redirect_uri, c.state,
                             c.ui_locales, c.created_at, c.expires_at, c.used_at));
  return Ok();
}

Result<std::optional<LogoutContextRecord>> SqliteStore::FindLogoutContext(
    std::string_view id_hash) {
  Lease db = Borrow();
  return QueryOne(db.get(),
                  Cat("SELECT ", kLogoutContextColumns, " FROM logout_contexts WHERE id_hash = ?"),
                  ReadLogoutContext, id_hash);
}

Result<bool> SqliteStore::UseLogoutContext(std::string_view id_hash, TimePoint at) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(
      int changed,
      Execute(db.get(),
              "UPDATE logout_contexts SET used_at = ? WHERE id_hash = ? AND used_at IS NULL", at,
              id_hash));
  return changed == 1;
}

Result<int> SqliteStore::PurgeSettledNotifications(TimePoint cutoff) {
  Lease db = Borrow();
  return Execute(db.get(),
                 "DELETE FROM logout_notifications WHERE status != 'pending' AND created_at < ?",
                 cutoff);
}

Result<int> SqliteStore::PurgeEvents(TimePoint cutoff) {
  Lease db = Borrow();
  return Execute(db.get(), "DELETE FROM events WHERE at < ?", cutoff);
}

Result<int> SqliteStore::PurgeLogoutContexts(TimePoint cutoff) {
  Lease db = Borrow();
  return Execute(db.get(), "DELETE FROM logout_contexts WHERE expires_at < ?", cutoff);
}

// Events

Result<std::int64_t> SqliteStore::AppendEvent(const EventRecord& e) {
  Lease db = Borrow();
  GH_ASSIGN_OR_RETURN(auto id, QueryOne(
                                   db.get(),
                                   "INSERT INTO events (at, type, sid, user_id, client_id, detail) "
                                   "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                                   [](const Statement& s) { return s.Int(0); }, e.at, e.type, e.sid,
                                   e.user_id, e.client_id, e.detail));
  if (!id) return Error::Internal("sqlite: insert returned no id");
  return *id;
}

Result<std::vector<EventRecord>> SqliteStore::ListEvents(std::int64_t after_id, int limit) {
  Lease db = Borrow();
  return QueryAll(db.get(),
                  Cat("SELECT ", kEventColumns, " FROM events WHERE id > ? ORDER BY id LIMIT ?"),
                  ReadEvent, after_id, limit);
}

}  // namespace gh::store
