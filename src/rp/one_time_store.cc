#include "rp/one_time_store.h"

#include <utility>

namespace gh::rp {

Result<bool> InMemoryOneTimeStore::PutIfAbsent(std::string key, std::string value,
                                               TimePoint expires_at) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    if (it->second.expires_at > now) return false;
    Erase(it);
  }
  MakeRoom(now);
  by_expiry_.emplace(expires_at, key);
  entries_.emplace(std::move(key), Entry{std::move(value), expires_at});
  return true;
}

Result<std::optional<std::string>> InMemoryOneTimeStore::Take(std::string_view key) {
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::optional<std::string>();
  Entry entry = std::move(it->second);
  Erase(it);
  if (entry.expires_at <= now) return std::optional<std::string>();
  return std::optional<std::string>(std::move(entry.value));
}

void InMemoryOneTimeStore::Erase(Entries::iterator it) {
  by_expiry_.erase({it->second.expires_at, it->first});
  entries_.erase(it);
}

void InMemoryOneTimeStore::MakeRoom(TimePoint now) {
  // Expired entries go first, then (still full) the one that would have expired soonest.
  while (!by_expiry_.empty() &&
         (by_expiry_.begin()->first <= now || entries_.size() >= max_entries_)) {
    auto soonest = by_expiry_.begin();
    entries_.erase(soonest->second);
    by_expiry_.erase(soonest);
  }
}

}  // namespace gh::rp
