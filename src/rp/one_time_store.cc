#include "rp/one_time_store.h"

#include <utility>

namespace gh::rp {
namespace {

// Expired entries are dropped on every this many puts, which bounds memory by the rate of puts
// times the longest lifetime without a timer thread.
constexpr std::uint64_t kSweepEvery = 64;

}  // namespace

Result<bool> InMemoryOneTimeStore::PutIfAbsent(std::string key, std::string value,
                                               TimePoint expires_at) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  if (++puts_ % kSweepEvery == 0) SweepExpired(now);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.expires_at > now) return false;
  entries_.insert_or_assign(std::move(key), Entry{std::move(value), expires_at});
  return true;
}

Result<std::optional<std::string>> InMemoryOneTimeStore::Take(std::string_view key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::optional<std::string>();
  Entry entry = std::move(it->second);
  entries_.erase(it);
  if (entry.expires_at <= now) return std::optional<std::string>();
  return std::optional<std::string>(std::move(entry.value));
}

void InMemoryOneTimeStore::SweepExpired(TimePoint now) {
  std::erase_if(entries_, [now](const auto& item) { return item.second.expires_at <= now; });
}

}  // namespace gh::rp
