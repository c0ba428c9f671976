// The Store conformance suite, and what only the PostgreSQL backend promises, against a
// throwaway PostgreSQL cluster that this binary starts and removes
// (tests/support/throwaway-postgres.sh).
#include "store/postgres/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store_conformance.h"
#include "support/records.h"
#include "support/temp_dir.h"

namespace gh::store {
namespace {

using gh::testing::Alice;

const std::string kScript = GATEHOUSE_SOURCE_DIR "/tests/support/throwaway-postgres.sh";

std::string Run(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) out += buffer.data();
  if (pclose(pipe) != 0) throw std::runtime_error(command + " failed");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// One cluster for the whole binary: starting one takes seconds, a schema per test milliseconds.
class ThrowawayPostgres : public ::testing::Environment {
 public:
  static ThrowawayPostgres* instance;

  void SetUp() override { url_ = Run(kScript + " start " + Dir()); }
  void TearDown() override { Run(kScript + " destroy " + Dir()); }

  void Stop() { Run(kScript + " stop " + Dir()); }
  void Start() { Run(kScript + " start " + Dir()); }
  void Restart() {
    Stop();
    Start();
  }

  const std::string& url() const { return url_; }

  // A URL for a new, empty schema of its own.
  std::string FreshSchemaUrl() {
    static std::atomic<int> next{0};
    const std::string schema = "t" + std::to_string(next++);
    Admin("CREATE SCHEMA " + schema);
    return url_ + "&options=-csearch_path%3D" + schema;
  }

  void Admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(url_.c_str());
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok =
        PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
    const std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (!ok) throw std::runtime_error(sql + ": " + message);
  }

 private:
  std::string Dir() const { return dir_.File("pg"); }

  gh::testing::TempDir dir_;
  std::string url_;
};
ThrowawayPostgres* ThrowawayPostgres::instance =
    static_cast<ThrowawayPostgres*>(::testing::AddGlobalTestEnvironment(new ThrowawayPostgres));

std::unique_ptr<Store> OpenFresh(const std::string& url) {
  auto store = OpenPostgresStore({url, ""});
  if (!store.ok()) throw std::runtime_error(store.error().message);
  return std::move(store).value();
}

std::unique_ptr<Store> MakePostgresStore() {
  return OpenFresh(ThrowawayPostgres::instance->FreshSchemaUrl());
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformance,
                         ::testing::Values(StoreFactory(MakePostgresStore)));

TEST(PostgresPlaceholders, NumberedAndBarePlaceholdersBecomeDollarParameters) {
  auto t = postgres::TranslatePlaceholders("SELECT a FROM t WHERE b = ? AND c = ?");
  EXPECT_EQ(t.text, "SELECT a FROM t WHERE b = $1 AND c = $2");
  EXPECT_EQ(t.params, 2);
  t = postgres::TranslatePlaceholders("UPDATE t SET a = ?2 WHERE b = ?1 AND c = ?2");
  EXPECT_EQ(t.text, "UPDATE t SET a = $2 WHERE b = $1 AND c = $2");
  EXPECT_EQ(t.params, 2);
  t = postgres::TranslatePlaceholders("SELECT '?', 'it''s ?' FROM t WHERE a = ?");
  EXPECT_EQ(t.text, "SELECT '?', 'it''s ?' FROM t WHERE a = $1");
  EXPECT_EQ(t.params, 1);
}

// Two nodes opening one empty database at once: one of them migrates, the other waits for it and
// finds the schema done (no "relation already exists").
TEST(PostgresStore, NodesOpeningAnEmptyDatabaseTogetherMigrateItOnce) {
  const std::string url = ThrowawayPostgres::instance->FreshSchemaUrl();
  std::vector<Result<std::unique_ptr<Store>>> opened;
  std::mutex mu;
  std::vector<std::thread> nodes;
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      auto store = OpenPostgresStore({url, ""}, 1);
      std::lock_guard lock(mu);
      opened.push_back(std::move(store));
    });
  }
  for (auto& t : nodes) t.join();
  for (auto& store : opened) ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_TRUE((*opened[0])->PutUser(Alice()).ok());
  auto found = (*opened[3])->FindUserByUsername("alice");
  ASSERT_TRUE(found.ok() && found->has_value());
}

// A database restart cuts every pooled connection; the store reconnects when each is next
// borrowed, and the first call after the restart already succeeds.
TEST(PostgresStore, ReconnectsAfterTheDatabaseRestarts) {
  auto store = OpenFresh(ThrowawayPostgres::instance->FreshSchemaUrl());
  ASSERT_TRUE(store->PutUser(Alice()).ok());
  ThrowawayPostgres::instance->Restart();
  auto found = store->FindUserById("u1");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_TRUE(found->has_value());
}

// While the database is down, calls fail with kUnavailable (503 to clients) instead of hanging,
// and the same store works again once the database is back.
TEST(PostgresStore, CallsDuringAnOutageAreUnavailableAndRecover) {
  auto store = OpenFresh(ThrowawayPostgres::instance->FreshSchemaUrl());
  ASSERT_TRUE(store->PutUser(Alice()).ok());
  ThrowawayPostgres::instance->Stop();
  auto during = store->FindUserById("u1");
  auto put = store->PutUser(Alice());
  ThrowawayPostgres::instance->Start();
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.error().code, ErrorCode::kUnavailable);
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::kUnavailable);
  auto after = store->FindUserById("u1");
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_TRUE(after->has_value());

  auto unreachable = OpenPostgresStore({"postgresql:///gatehouse?host=/nonexistent", ""});
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
}

// A sign-out queued through one node wakes the watcher of another at once (LISTEN/NOTIFY), not
// at its next poll.
TEST(PostgresStore, QueuedNotificationsWakeOtherNodesWatchers) {
  const std::string url = ThrowawayPostgres::instance->FreshSchemaUrl();
  auto node_a = OpenFresh(url);
  auto node_b = OpenFresh(url);
  std::mutex mu;
  std::condition_variable woken_cv;
  int wakes = 0;
  auto watch = node_b->WatchOutbox([&] {
    std::lock_guard lock(mu);
    ++wakes;
    woken_cv.notify_all();
  });
  ASSERT_NE(watch, nullptr);
  {
    // The listener wakes once when it starts listening; wait for that first.
    std::unique_lock lock(mu);
    ASSERT_TRUE(woken_cv.wait_for(lock, std::chrono::seconds(10), [&] { return wakes >= 1; }));
  }
  LogoutNotificationRecord each;
  each.sid = "s1";
  each.user_id = "u1";
  each.channel = "backchannel";
  each.created_at = each.next_attempt_at = FromUnixSeconds(1'700'000'000);
  const std::vector<std::string> clients = {"mail", "docs"};
  ASSERT_TRUE(node_a->EnqueueNotifications(each, clients).ok());
  std::unique_lock lock(mu);
  EXPECT_TRUE(woken_cv.wait_for(lock, std::chrono::seconds(10), [&] { return wakes >= 2; }));
}

TEST(PostgresStore, RejectsEmptyPool) {
  auto store = OpenPostgresStore({ThrowawayPostgres::instance->url(), ""}, 0);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace gh::store
