// LoginThrottle: slows down password guessing without letting an attacker lock anyone out.
// Failed sign-ins are counted per source address (IPv6 by /64, where one subscriber has many
// addresses) and per account. Past a free allowance each further failure doubles how long that
// key must wait before its next attempt is even checked (RFC 6819 §5.1.4.2.3, OWASP ASVS 2.2.1).
// The account's wait is capped low (a real user waits at most `account_max_delay`, never locked),
// the source's high (a guessing machine is slowed to a crawl); every wait ends by itself and
// a success clears the account's count. State is in memory and bounded: the least recently
// failed keys are forgotten first.
#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace gh::web {

struct ThrottlePolicy {
  int source_free_failures = 10;
  Seconds source_max_delay{15 * 60};
  int account_free_failures = 5;
  Seconds account_max_delay{30};
  Seconds forget_after{15 * 60};  // a key with no failure for this long starts again from zero
  std::size_t max_tracked_keys = 100'000;
};

class LoginThrottle {
 public:
  LoginThrottle(Clock& clock, ThrottlePolicy policy = {}) : clock_(clock), policy_(policy) {}

  // How long the attempt must wait, when it may not be checked now (answer 429, Retry-After).
  std::optional<Seconds> Wait(std::string_view account, std::string_view source);
  // Records a wrong password. true when this failure made either key start waiting, which is
  // worth an audit event (later refusals only count).
  bool Failed(std::string_view account, std::string_view source);
  // Records a successful sign-in: the account's count starts again (the source's does not,
  // so one known password does not buy a guessing machine a fresh allowance).
  void Succeeded(std::string_view account);

  // The key a source address is counted under: IPv4 as is, IPv6 by its /64 prefix.
  static std::string SourceKey(std::string_view address);

 private:
  struct Entry {
    int failures = 0;
    TimePoint last_failure;
    std::list<std::string>::iterator recency;
  };
  // The wait still due for `key` now, if any.
  std::optional<Seconds> WaitFor(const std::string& key, int free_failures, Seconds max_delay,
                                 TimePoint now);
  // Counts a failure of `key`; true when it starts a wait.
  bool Count(const std::string& key, int free_failures, TimePoint now);
  void Forget(const std::string& key);

  Clock& clock_;
  ThrottlePolicy policy_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> recency_;  // most recently failed first
};

}  // namespace gh::web
