// WalCheckpointer: copies a WAL-mode database's log back into the database file on a thread of
// its own, so that no request pays for it. SQLite's automatic checkpoint runs inside whichever
// COMMIT pushes the log past 1000 pages; while readers keep older snapshots open the log cannot be
// reset, so under load nearly every commit started another checkpoint with its own fsyncs (19 %
// of the server's CPU in a sign-in profile, one fdatasync per flow, all on the request path).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/result.h"

struct sqlite3;

namespace gh::store::sqlite {

class WalCheckpointer {
 public:
  // Opens its own connection to `path` (already in WAL mode) and starts the thread; a checkpoint
  // runs once connections handed to it have written `pages` pages to the log since the last.
  static Result<std::shared_ptr<WalCheckpointer>> Start(const std::string& path, int pages = 1000);
  ~WalCheckpointer();  // a last checkpoint, then the thread ends
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // sqlite3_wal_hook's callback, with this checkpointer as its argument: called after every
  // commit with the log's size in pages.
  static int OnCommit(void* self, sqlite3* db, const char* schema, int log_pages);

  // How many checkpoints have run (for tests).
  int checkpoints() const;

 private:
  WalCheckpointer(sqlite3* db, int pages);
  void Run();

  sqlite3* db_;
  const int pages_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  int log_pages_ = 0;        // the log's size after the last commit
  int unchecked_pages_ = 0;  // written to the log since the last checkpoint was started
  bool due_ = false;
  bool stopping_ = false;
  int checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace gh::store::sqlite
