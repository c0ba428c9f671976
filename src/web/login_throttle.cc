#include "web/login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace gh::web {
namespace {

std::string AccountKey(std::string_view account) { return "account:" + std::string(account); }

// The delay after `failures` failures, `free_failures` of them free: 1 s, 2 s, 4 s, ... capped.
Seconds DelayAfter(int failures, int free_failures, Seconds max_delay) {
  int over = failures - free_failures;
  if (over <= 0) return Seconds(0);
  // 2^30 s is past any sane cap; stop doubling before the shift overflows.
  auto delay = Seconds(std::int64_t{1} << std::min(over - 1, 30));
  return std::min(delay, max_delay);
}

}  // namespace

std::string LoginThrottle::SourceKey(std::string_view address) {
  std::string text(address);
  std::array<unsigned char, 16> v6{};
  if (inet_pton(AF_INET6, text.c_str(), v6.data()) == 1) {
    // A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; each is its own source.
    static constexpr std::array<unsigned char, 12> kMapped = {0, 0, 0, 0, 0,    0,
                                                              0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(kMapped.begin(), kMapped.end(), v6.begin())) {
      char out[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, v6.data() + 12, out, sizeof out);
      return "source:" + std::string(out);
    }
    std::fill(v6.begin() + 8, v6.end(), 0);  // one subscriber is usually given a whole /64
    char out[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, v6.data(), out, sizeof out);
    return "source:" + std::string(out) + "/64";
  }
  return "source:" + text;
}

std::optional<Seconds> LoginThrottle::WaitFor(const std::string& key, int free_failures,
                                              Seconds max_delay, TimePoint now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.last_failure >= policy_.forget_after) {
    Forget(key);
    return std::nullopt;
  }
  auto ready_at =
      it->second.last_failure + DelayAfter(it->second.failures, free_failures, max_delay);
  if (now >= ready_at) return std::nullopt;
  // Round up: a client told "0" would come straight back.
  return std::chrono::ceil<Seconds>(ready_at - now);
}

std::optional<Seconds> LoginThrottle::Wait(std::string_view account, std::string_view source) {
  std::lock_guard lock(mu_);
  auto now = clock_.Now();
  auto by_source =
      WaitFor(SourceKey(source), policy_.source_free_failures, policy_.source_max_delay, now);
  auto by_account =
      WaitFor(AccountKey(account), policy_.account_free_failures, policy_.account_max_delay, now);
  if (by_source && by_account) return std::max(*by_source, *by_account);
  return by_source ? by_source : by_account;
}

bool LoginThrottle::Count(const std::string& key, int free_failures, TimePoint now) {
  auto it = entries_.find(key);
  if (it != entries_.end() && now - it->second.last_failure >= policy_.forget_after) {
    Forget(key);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    if (entries_.size() >= policy_.max_tracked_keys) Forget(std::string(recency_.back()));
    recency_.push_front(key);
    it = entries_.emplace(key, Entry{0, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
  }
  it->second.last_failure = now;
  return ++it->second.failures == free_failures + 1;
}

bool LoginThrottle::Failed(std::string_view account, std::string_view source) {
  std::lock_guard lock(mu_);
  auto now = clock_.Now();
  bool source_starts = Count(SourceKey(source), policy_.source_free_failures, now);
  bool account_starts = Count(AccountKey(account), policy_.account_free_failures, now);
  return source_starts || account_starts;
}

void LoginThrottle::Succeeded(std::string_view account) {
  std::lock_guard lock(mu_);
  if (entries_.contains(AccountKey(account))) Forget(AccountKey(account));
}

void LoginThrottle::Forget(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  recency_.erase(it->second.recency);
  entries_.erase(it);
}

}  // namespace gh::web
