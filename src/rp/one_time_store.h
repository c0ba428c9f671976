// OneTimeStore: short-lived values that may be used at most once — the pending sign-ins and
// sign-outs a relying party keeps server-side under their `state`, and the `jti` of logout tokens
// it has already acted on. Behind an interface so that an app running several nodes can share it
// (the operations map onto Redis SET NX PX and GETDEL).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
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

// A process-local OneTimeStore for single-node apps and tests. Thread-safe.
class InMemoryOneTimeStore final : public OneTimeStore {
 public:
  explicit InMemoryOneTimeStore(const Clock& clock) : clock_(clock) {}

  Result<bool> PutIfAbsent(std::string key, std::string value, TimePoint expires_at) override;
  Result<std::optional<std::string>> Take(std::string_view key) override;

 private:
  struct Entry {
    std::string value;
    TimePoint expires_at;
  };
  void SweepExpired(TimePoint now);  // REQUIRES: mutex_ held

  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t puts_ = 0;
};

}  // namespace gh::rp
