// What the pooled SQLite connections of one process share: the WAL checkpointer and the turn to
// write.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "store/sqlite/sqlite_connection.h"
#include "support/temp_dir.h"

namespace gh::store::sqlite {
namespace {

using namespace std::chrono_literals;

class SqlitePoolTest : public ::testing::Test {
 protected:
  // A connection joined to a pool whose checkpointer runs every `pages` pages of log.
  std::unique_ptr<SqliteConnection> Join(int pages = 1000) {
    if (!shared_) {
      shared_ = std::make_shared<SharedDatabase>();
      auto first = Open();
      shared_->checkpointer = WalCheckpointer::Start(path_, pages).value();
      first->JoinPool(shared_);
      return first;
    }
    auto db = Open();
    db->JoinPool(shared_);
    return db;
  }

  std::unique_ptr<SqliteConnection> Open() {
    auto db = SqliteConnection::Open(path_);
    EXPECT_TRUE(db.ok());
    return std::move(db).value();
  }

  gh::testing::TempDir dir_;
  std::string path_ = dir_.File("pool.db");
  std::shared_ptr<SharedDatabase> shared_;
};

TEST_F(SqlitePoolTest, TheCheckpointerCopiesTheLogIntoTheDatabaseFile) {
  auto db = Join(/*pages=*/8);
  ASSERT_TRUE(db->Script("CREATE TABLE t (v BLOB)").ok());
  // 40 pages of log: far below SQLite's own automatic checkpoint (1000), so only ours copies them.
  for (int i = 0; i < 40; ++i)
    ASSERT_TRUE(db->Script("INSERT INTO t VALUES (zeroblob(4000))").ok());
  for (int i = 0; i < 500 && shared_->checkpointer->checkpoints() == 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_GT(shared_->checkpointer->checkpoints(), 0);
  // Once copied, the rows are in the database file itself.
  for (int i = 0; i < 500 && std::filesystem::file_size(path_) < 40 * 4000; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_GE(std::filesystem::file_size(path_), 40u * 4000u);
}

// While a reader keeps an old snapshot the log cannot restart and stays past the threshold; a
// checkpoint must still wait for that many new pages rather than follow every commit.
TEST_F(SqlitePoolTest, ACheckpointWaitsForThatManyNewPagesWhileTheLogCannotRestart) {
  constexpr int kPages = 40;
  auto db = Join(kPages);
  ASSERT_TRUE(db->Script("CREATE TABLE t (v BLOB)").ok());
  auto reader = Open();
  ASSERT_TRUE(reader->Script("BEGIN; SELECT count(*) FROM t").ok());
  // Two or three pages of log each (a leaf, its parent): under the 4 × kPages past which a
  // checkpoint would wait for the reader to restart the log.
  constexpr int kCommits = 50;
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(db->Script("INSERT INTO t VALUES (zeroblob(3000))").ok());
    // Time for a checkpoint to finish, so that the next commit could start one of its own; that
    // only makes the count larger, the bound below holds however slow the machine.
    std::this_thread::sleep_for(3ms);
  }
  const int checkpoints = shared_->checkpointer->checkpoints();
  EXPECT_GT(checkpoints, 0);
  EXPECT_LE(checkpoints, kCommits * 3 / kPages + 1) << "a checkpoint after (nearly) every commit";
  ASSERT_TRUE(reader->Script("COMMIT").ok());
}

TEST_F(SqlitePoolTest, AWriteOutsideATransactionWaitsForItsTurn) {
  auto db = Join();
  ASSERT_TRUE(db->Script("CREATE TABLE t (v INTEGER)").ok());
  std::atomic<bool> written = false;
  std::unique_lock turn(shared_->write_turn);
  std::thread writer([&] {
    EXPECT_TRUE(db->Run("INSERT INTO t VALUES (1)", {}, [](const sql::Row&) {}).ok());
    written = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(written) << "the insert did not wait for the turn another writer holds";
  turn.unlock();
  writer.join();
  EXPECT_TRUE(written);
}

// A thread that holds a write transaction and then writes through another connection of the pool
// (a bug, but one that must not hang a worker for ever) is refused after the busy timeout, as
// SQLite's own lock refused it.
TEST_F(SqlitePoolTest, WritingOutsideTheTransactionYouHoldFailsInsteadOfHanging) {
  auto db = Join();
  auto other = Join();
  ASSERT_TRUE(db->Script("CREATE TABLE t (v INTEGER)").ok());
  ASSERT_TRUE(db->Script(db->dialect().begin_write).ok());
  auto written = other->Run("INSERT INTO t VALUES (1)", {}, [](const sql::Row&) {});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kUnavailable);
  ASSERT_TRUE(db->Script("ROLLBACK").ok());
}

TEST_F(SqlitePoolTest, AWriteTransactionHoldsTheTurnUntilItEnds) {
  auto db = Join();
  auto other = Join();
  ASSERT_TRUE(db->Script("CREATE TABLE t (v INTEGER)").ok());
  ASSERT_TRUE(db->Script(db->dialect().begin_write).ok());
  EXPECT_FALSE(shared_->write_turn.try_lock());
  ASSERT_TRUE(db->Script("COMMIT").ok());
  ASSERT_TRUE(shared_->write_turn.try_lock()) << "COMMIT did not hand the turn on";
  shared_->write_turn.unlock();
  // A read transaction takes no turn.
  ASSERT_TRUE(other->Script(other->dialect().begin_read).ok());
  EXPECT_TRUE(shared_->write_turn.try_lock());
  shared_->write_turn.unlock();
  ASSERT_TRUE(other->Script("COMMIT").ok());
}

}  // namespace
}  // namespace gh::store::sqlite
