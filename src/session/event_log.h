// EventLog: the audit trail of sign-out — each sign-out started, session ended (with cause),
// notification delivered, retried or given up — and of sign-in throttling, written to the store
// (for `gatehouse events`), to the log, and counted for /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace gh::session {

struct EventCounters {
  std::atomic<std::int64_t> logouts_started{0};
  std::atomic<std::int64_t> sessions_ended{0};
  std::atomic<std::int64_t> notifications_delivered{0};
  std::atomic<std::int64_t> notifications_retried{0};
  std::atomic<std::int64_t> notifications_failed{0};
  std::atomic<std::int64_t> logins_throttled{0};  // every sign-in refused for guessing
  // The upstream leg of sign-outs (federation/), by outcome.
  std::atomic<std::int64_t> upstream_logouts_redirected{0};
  std::atomic<std::int64_t> upstream_logouts_confirmed{0};
  std::atomic<std::int64_t> upstream_logouts_failed{0};
  std::atomic<std::int64_t> upstream_logouts_received{0};
};

struct Event {
  std::string type;  // one of the kEvent* names below
  std::string sid;
  std::string user_id;
  std::string client_id;
  std::string detail_json = "{}";  // a JSON object with type-specific fields
};

inline constexpr std::string_view kEventLogoutStarted = "logout.started";
inline constexpr std::string_view kEventSessionEnded = "session.ended";
inline constexpr std::string_view kEventNotificationDelivered = "notification.delivered";
inline constexpr std::string_view kEventNotificationRetried = "notification.retried";
inline constexpr std::string_view kEventNotificationFailed = "notification.failed";
// The upstream leg of a sign-out (federation/): the browser was sent to the upstream's sign-out,
// came back with our state, or could not be (the detail says why); and sign-outs the upstream
// started, received over a back or front channel.
inline constexpr std::string_view kEventUpstreamLogoutRedirected = "upstream.logout_redirected";
inline constexpr std::string_view kEventUpstreamLogoutConfirmed = "upstream.logout_confirmed";
inline constexpr std::string_view kEventUpstreamLogoutFailed = "upstream.logout_failed";
inline constexpr std::string_view kEventUpstreamLogoutReceived = "upstream.logout_received";
// A source or account started having to wait between sign-in attempts.
inline constexpr std::string_view kEventLoginThrottled = "login.throttled";

class EventLog {
 public:
  explicit EventLog(Clock& clock) : clock_(clock) {}

  // Appends `event` through `store`; pass a transaction view to make it part of a transaction.
  Result<void> Append(store::EventStore& store, const Event& event) const;
  // Logs and counts `event`. Call once what it records has been committed, so that rolled-back
  // work is never counted.
  void Publish(const Event& event);

  // Counts a sign-in attempt refused by the throttle: too many to record one by one.
  void CountThrottledLogin() { ++counters_.logins_throttled; }

  const EventCounters& counters() const { return counters_; }

 private:
  Clock& clock_;
  EventCounters counters_;
};

}  // namespace gh::session
