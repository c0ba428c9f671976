// JournalAppSessionStore: the in-memory app session store plus an append-only file of its
// changes, replayed at start-up. Sessions then survive a restart of the app, so a back-channel
// logout that reaches the app only after it comes back still finds the session it must end —
// with a purely in-memory store a restart would sign everyone out and hide that path.
#pragma once

#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "rp/app_sessions.h"

namespace gh::apps {

class JournalAppSessionStore final : public rp::AppSessionStore {
 public:
  // Replays `path` (if it exists) and appends to it from then on.
  static Result<std::unique_ptr<JournalAppSessionStore>> Open(const std::string& path,
                                                              const Clock& clock);

  Result<void> Put(rp::AppSession session) override;
  Result<std::optional<rp::AppSession>> Get(std::string_view id) override;
  Result<std::optional<rp::AppSession>> Remove(std::string_view id) override;
  Result<std::size_t> RemoveBySid(std::string_view sid) override;
  Result<std::size_t> RemoveBySub(std::string_view sub) override;

 private:
  explicit JournalAppSessionStore(const Clock& clock) : memory_(clock) {}
  // Writes one change as a JSON line, flushed before the change is acknowledged.
  Result<void> Append(std::string_view op, std::string_view key);
  Result<void> AppendLine(const std::string& line);

  rp::InMemoryAppSessionStore memory_;
  std::mutex file_mutex_;
  std::ofstream file_;
};

}  // namespace gh::apps
