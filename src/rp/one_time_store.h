// OneTimeStore: short-lived values that may be used at most once — the pending sign-ins and
// sign-outs a relying party keeps server-side under their `state`, and the `jti` of logout tokens
// it has already acted on. Behind an interface so that an app running several nodes can share it
// (the operations map onto Redis SET NX PX and GETDEL).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace gh::rp {

class OneTimeStore {
 public:
  virtual ~OneTimeStore() = default;
  // Stores `value` under `key` until `expires_at`, unless a live value is there already: then
  // nothing changes and the result is false.
  virtual Result<bool> PutIfAbsent(std::string key, std::string value, TimePoint expires_at) = 0;
  // Removes and returns the live value of `key`; nullopt when absent or expired. Of two
  // concurrent calls for one key, only one gets the value.
  virtual Result<std::optional<std::string>> Take(std::string_view key) = 0;
};

// A process-local OneTimeStore for single-node apps and tests. Thread-safe. Anyone can make an
// app store an entry (every GET /login does), so it holds at most `max_entries`: when full, the
// entry closest to expiry makes room. Under a flood that means some real sign-in started long
// ago fails and is retried, instead of the app running out of memory.
class InMemoryOneTimeStore final : public OneTimeStore {
 public:
  static constexpr std::size_t kDefaultMaxEntries = 10'000;
  explicit InMemoryOneTimeStore(const Clock& clock, std::size_t max_entries = kDefaultMaxEntries)
      : clock_(clock), max_entries_(max_entries) {}

  Result<bool> PutIfAbsent(std::string key, std::string value, TimePoint expires_at) override;
  Result<std::optional<std::string>> Take(std::string_view key) override;

 private:
  struct Entry {
    std::string value;
    TimePoint expires_at;
  };
  using Entries = std::map<std::string, Entry, std::less<>>;
  // Both REQUIRE mutex_ held.
  void Erase(Entries::iterator it);
  void MakeRoom(TimePoint now);

  const Clock& clock_;
  const std::size_t max_entries_;
  std::mutex mutex_;
  Entries entries_;
  std::set<std::pair<TimePoint, std::string>> by_expiry_;  // the same entries, soonest first
};

}  // namespace gh::rp
