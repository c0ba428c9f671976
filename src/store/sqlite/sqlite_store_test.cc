#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "store/store_conformance.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace gh::store {
namespace {

using gh::testing::Alice;

// A fresh database file per conformance test, all in one directory removed when the binary exits.
std::unique_ptr<Store> MakeSqliteStore() {
  static gh::testing::TempDir dir;
  static std::atomic<int> next{0};
  auto store = OpenSqliteStore(dir.File("conformance-" + std::to_string(next++) + ".db"));
  if (!store.ok()) throw std::runtime_error(store.error().message);
  return std::move(store).value();
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance,
                         ::testing::Values(StoreFactory(MakeSqliteStore)));

// Reads the first column of every row of `sql`, through a connection of the test's own, to see
// what is on disk independently of the store.
std::vector<std::string> Column(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error("cannot open " + path);
  }
  std::vector<std::string> values;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql,
      [](void* out, int, char** row, char**) {
        static_cast<std::vector<std::string>*>(out)->push_back(row[0] ? row[0] : "NULL");
        return 0;
      },
      &values, &error);
  const std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) throw std::runtime_error(message);
  return values;
}

// How to take a database back over each migration, newest first: a test undoes the newest ones to
// get the database an older release left, then opens it with this one. A new migration adds its
// undo here.
constexpr std::pair<int, const char*> kUndo[] = {
    {13, "DROP TABLE revoked_grants;"},
    {12, R"sql(DROP INDEX tokens_by_user;
      CREATE INDEX tokens_by_user ON tokens (user_id) WHERE user_id IS NOT NULL;)sql"},
    {11, "ALTER TABLE clients DROP COLUMN grant_types;"},
    {10, R"sql(DROP TABLE used_codes;
      CREATE TABLE authorization_codes (
        code_hash TEXT NOT NULL PRIMARY KEY, grant_id TEXT NOT NULL, client_id TEXT NOT NULL,
        redirect_uri TEXT NOT NULL, user_id TEXT NOT NULL, sid TEXT NOT NULL, scope TEXT NOT NULL,
        nonce TEXT, code_challenge TEXT, code_challenge_method TEXT NOT NULL,
        auth_time INTEGER NOT NULL, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
        consumed INTEGER NOT NULL, idp TEXT NOT NULL DEFAULT 'local', amr TEXT NOT NULL DEFAULT '',
        acr TEXT NOT NULL DEFAULT '') STRICT;
      CREATE INDEX authorization_codes_by_expiry ON authorization_codes (expires_at);
      CREATE INDEX authorization_codes_by_sid ON authorization_codes (sid);)sql"},
    {9, "ALTER TABLE clients DROP COLUMN access_token_audience;"},
    {8, "DROP INDEX authorization_codes_by_sid;"},
    {7, "ALTER TABLE logout_notifications DROP COLUMN lease_holder;"},
    {6, R"sql(ALTER TABLE sessions DROP COLUMN idp; ALTER TABLE sessions DROP COLUMN amr;
      ALTER TABLE sessions DROP COLUMN acr; DROP INDEX users_by_email;
      ALTER TABLE authorization_codes DROP COLUMN idp; ALTER TABLE authorization_codes DROP COLUMN amr;
      ALTER TABLE authorization_codes DROP COLUMN acr;
      DROP TABLE upstream_links; DROP TABLE upstream_requests; DROP TABLE federated_identities;)sql"},
    {5, "ALTER TABLE signing_keys DROP COLUMN activates_at;"},
    {4, R"sql(DROP INDEX participants_by_saml_session_index;
      ALTER TABLE participants DROP COLUMN saml_name_id;
      ALTER TABLE participants DROP COLUMN saml_name_id_format;
      ALTER TABLE participants DROP COLUMN saml_name_qualifier;
      ALTER TABLE participants DROP COLUMN saml_sp_name_qualifier;
      ALTER TABLE participants DROP COLUMN saml_session_index;
      ALTER TABLE logout_contexts DROP COLUMN saml_initiator;
      DROP TABLE saml_service_providers; DROP TABLE saml_messages;)sql"},
    {3, R"sql(CREATE TABLE client_uris (
        client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('redirect', 'post_logout_redirect')),
        position INTEGER NOT NULL, uri TEXT NOT NULL,
        PRIMARY KEY (client_id, kind, position)) STRICT, WITHOUT ROWID;
      INSERT INTO client_uris SELECT client_id, kind, position, value FROM client_values;
      DROP TABLE client_values; DROP TABLE server_secrets; DROP TABLE consents;
      DROP INDEX sessions_ended; DROP INDEX logout_notifications_settled; DROP INDEX events_by_time;
      DROP INDEX tokens_by_user;)sql"},
};

// Makes the database at `path` what it was at migration `version`.
void UndoMigrationsAfter(const std::string& path, int version) {
  std::string script;
  for (const auto& [undone, sql] : kUndo) {
    if (undone <= version) break;
    script += std::string(sql) +
              "\nDELETE FROM schema_migrations WHERE version = " + std::to_string(undone) + ";\n";
  }
  Column(path, (script + "SELECT 1;").c_str());
}

// Tests of what only the SQLite backend promises: the file, its schema and its journal mode.
class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore() {
    auto store = OpenSqliteStore(path_);
    if (!store.ok()) throw std::runtime_error(store.error().message);
    return std::move(store).value();
  }

  gh::testing::TempDir dir_;
  std::string path_ = dir_.File("gatehouse.db");
};

// A version-2 database, as the previous release left it, keeps its clients' URIs when migration
// 3 moves them into client_values. Made by undoing every migration after 2 on a fresh database.
TEST_F(SqliteStoreTest, Migration3KeepsTheClientsUris) {
  ClientRecord app;
  app.id = "app";
  app.name = "App";
  app.redirect_uris = {"https://app.example/cb", "https://app.example/other"};
  app.post_logout_redirect_uris = {"https://app.example/bye"};
  ASSERT_TRUE(OpenStore()->PutClient(app).ok());
  UndoMigrationsAfter(path_, 2);

  auto found = OpenStore()->FindClient("app");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->redirect_uris, app.redirect_uris);
  EXPECT_EQ((*found)->post_logout_redirect_uris, app.post_logout_redirect_uris);
  EXPECT_TRUE(Column(path_, "SELECT name FROM sqlite_master WHERE name = 'client_uris'").empty());
}

// Clients registered before grants were registered keep every grant their kind allowed.
TEST_F(SqliteStoreTest, Migration11KeepsTheGrantsClientsHad) {
  ClientRecord confidential;
  confidential.id = "service";
  confidential.secret_hash = "hash";
  ClientRecord spa;
  spa.id = "spa";
  auto store = OpenStore();
  ASSERT_TRUE(store->PutClient(confidential).ok());
  ASSERT_TRUE(store->PutClient(spa).ok());
  store.reset();
  UndoMigrationsAfter(path_, 10);

  store = OpenStore();
  auto service = store->FindClient("service");
  auto public_client = store->FindClient("spa");
  ASSERT_TRUE(service.ok() && service->has_value() && public_client.ok() &&
              public_client->has_value());
  EXPECT_EQ(
      (*service)->grant_types,
      (std::vector<std::string>{"authorization_code", "refresh_token", "client_credentials"}));
  EXPECT_EQ((*public_client)->grant_types,
            (std::vector<std::string>{"authorization_code", "refresh_token"}));
}

// A dispatcher's poll that finds nothing due takes no write lock, so another process holding it
// (a node paused in a transaction) does not make every poll wait out the busy timeout.
TEST_F(SqliteStoreTest, AnEmptyClaimTakesNoWriteLock) {
  auto store = OpenStore();
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto now = FromUnixSeconds(1'700'000'000);
  auto claimed = store->ClaimDueNotifications(now, now + Seconds(30), 10, "node-a");
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_TRUE(claimed->empty());
}

// A call that cannot get a connection in time is told so (503 for its client) instead of waiting
// for ever: here the one connection is held by a transaction that calls the store outside it.
TEST_F(SqliteStoreTest, ABusyPoolAnswersUnavailableInsteadOfWaitingForEver) {
  auto store = store::OpenSqliteStore(path_, 1, std::chrono::milliseconds(50));
  ASSERT_TRUE(store.ok());
  ErrorCode inner = ErrorCode::kInternal;
  ASSERT_TRUE((*store)
                  ->InTransaction([&](Store&) -> Result<void> {
                    auto found = (*store)->FindUserById("u1");
                    inner = found.ok() ? ErrorCode::kInternal : found.error().code;
                    return Ok();
                  })
                  .ok());
  EXPECT_EQ(inner, ErrorCode::kUnavailable);
  EXPECT_TRUE((*store)->FindUserById("u1").ok());  // the connection came back
}

TEST_F(SqliteStoreTest, MigrationsAreRecordedAndNotRerunOnReopen) {
  ASSERT_TRUE(OpenStore()->PutUser(Alice()).ok());
  const auto applied =
      Column(path_, "SELECT version || ':' || applied_at FROM schema_migrations ORDER BY version");
  ASSERT_EQ(applied.size(), 13u);
  for (std::size_t i = 0; i < applied.size(); ++i)
    EXPECT_EQ(applied[i].substr(0, applied[i].find(':')), std::to_string(i + 1));

  auto reopened = OpenStore();
  EXPECT_EQ(
      Column(path_, "SELECT version || ':' || applied_at FROM schema_migrations ORDER BY version"),
      applied);
  auto user = reopened->FindUserById("u1");
  ASSERT_TRUE(user.ok());
  EXPECT_TRUE(user->has_value());
}

TEST_F(SqliteStoreTest, UsesWriteAheadLog) {
  auto store = OpenStore();
  EXPECT_EQ(Column(path_, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
}

TEST_F(SqliteStoreTest, DataSurvivesCloseAndReopen) {
  ClientRecord client;
  client.id = "app";
  client.name = "App";
  client.redirect_uris = {"https://app.example/cb", "https://app.example/cb2"};
  SessionRecord session;
  session.key_hash = "k";
  session.sid = "s1";
  session.user_id = "u1";
  {
    auto store = OpenStore();
    ASSERT_TRUE(store->PutUser(Alice()).ok());
    ASSERT_TRUE(store->PutClient(client).ok());
    ASSERT_TRUE(store->CreateSession(session).ok());
  }
  auto store = OpenStore();
  auto found_client = store->FindClient("app");
  ASSERT_TRUE(found_client.ok() && found_client->has_value());
  EXPECT_EQ((*found_client)->redirect_uris, client.redirect_uris);
  auto found_user = store->FindUserByUsername("alice");
  ASSERT_TRUE(found_user.ok() && found_user->has_value());
  EXPECT_EQ((*found_user)->email, "alice@example.com");
  auto found_session = store->FindSessionByKeyHash("k");
  ASSERT_TRUE(found_session.ok() && found_session->has_value());
  EXPECT_EQ((*found_session)->sid, "s1");
}

TEST_F(SqliteStoreTest, OpeningInMissingDirectoryIsUnavailable) {
  auto store = OpenSqliteStore(dir_.File("missing/gatehouse.db"));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
}

TEST_F(SqliteStoreTest, RefusesSchemaNewerThanTheBuild) {
  OpenStore();
  Column(path_, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)");
  auto store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(SqliteStoreTest, RejectsEmptyPool) {
  auto store = OpenSqliteStore(path_, 0);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(SqliteStoreTest, InMemoryDatabaseIsRefused) {
  // Each pooled connection would get its own empty database.
  auto store = OpenSqliteStore(":memory:");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace gh::store
