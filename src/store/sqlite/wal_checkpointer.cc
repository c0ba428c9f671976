#include "store/sqlite/wal_checkpointer.h"

#include <sqlite3.h>

#include <utility>

#include "core/log.h"
#include "store/sqlite/sqlite_connection.h"

namespace gh::store::sqlite {
namespace {

constexpr int kRestartFactor = 4;
// How long a RESTART checkpoint waits for readers and writers to finish before giving up
// (SQLITE_BUSY; the next one tries again).
constexpr int kRestartWaitMs = 1000;

}  // namespace

Result<std::shared_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                int pages) {
  ConfigureSqliteForProcess();
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  // A connection learns that the database is in WAL mode when it first reads it; until then a
  // checkpoint does nothing (and says so only by reporting a log of -1 pages).
  if (rc == SQLITE_OK)
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_busy_timeout(db, kRestartWaitMs);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Error::Unavailable("sqlite: cannot open " + path + " to checkpoint it: " + message);
  }
  return std::shared_ptr<WalCheckpointer>(new WalCheckpointer(db, pages));
}

WalCheckpointer::WalCheckpointer(sqlite3* db, int pages)
    : db_(db), pages_(pages), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close_v2(db_);
}

int WalCheckpointer::OnCommit(void* self, sqlite3* /*db*/, const char* /*schema*/, int log_pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  {
    std::lock_guard lock(checkpointer->mutex_);
    // Counted by what each commit added, not by the log's size: while a reader holds an old
    // snapshot the log cannot restart, and a size past the threshold would start a checkpoint
    // (two fdatasyncs) after every commit. A smaller size than last time means the log restarted
    // from its beginning.
    const int last = std::exchange(checkpointer->log_pages_, log_pages);
    checkpointer->unchecked_pages_ += log_pages >= last ? log_pages - last : log_pages;
    if (checkpointer->unchecked_pages_ < checkpointer->pages_ || checkpointer->due_)
      return SQLITE_OK;
    checkpointer->unchecked_pages_ = 0;
    checkpointer->due_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

int WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void WalCheckpointer::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return due_ || stopping_; });
    const bool last = stopping_;
    due_ = false;
    lock.unlock();
    // PASSIVE copies what no reader still needs and never waits. Under steady load it never
    // catches up with the writers, and the log only starts again from its beginning once all of it
    // has been copied, so it would grow without end: past kRestartFactor × the threshold, RESTART
    // holds new writers back (briefly: PASSIVE has copied nearly everything) until it has.
    int log = 0;
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_OK && log > kRestartFactor * pages_)
      rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_RESTART, &log, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      Log(LogLevel::kWarn, "store.checkpoint_failed", {{"error", sqlite3_errmsg(db_)}});
    lock.lock();
    ++checkpoints_;
    if (last) return;
  }
}

}  // namespace gh::store::sqlite
