#include "session/event_log.h"

#include <utility>

#include "core/log.h"

namespace gh::session {

Result<void> EventLog::Append(store::EventStore& store, const Event& event) const {
  store::EventRecord record;
  record.at = clock_.Now();
  record.type = event.type;
  record.sid = event.sid;
  record.user_id = event.user_id;
  record.client_id = event.client_id;
  record.detail = event.detail_json;
  GH_RETURN_IF_ERROR(store.AppendEvent(record));
  return Ok();
}

void EventLog::Publish(const Event& event) {
  bool warning = event.type == kEventNotificationFailed || event.type == kEventLoginThrottled ||
                 event.type == kEventUpstreamLogoutFailed;
  Log(warning ? LogLevel::kWarn : LogLevel::kInfo, event.type,
      {{"sid", event.sid},
       {"sub", event.user_id},
       {"client_id", event.client_id},
       {"detail", event.detail_json}});
  // Which counter each event type moves; types not listed are logged only.
  using Counter = std::atomic<std::int64_t> EventCounters::*;
  static constexpr std::pair<std::string_view, Counter> kCounted[] = {
      {kEventLogoutStarted, &EventCounters::logouts_started},
      {kEventSessionEnded, &EventCounters::sessions_ended},
      {kEventNotificationDelivered, &EventCounters::notifications_delivered},
      {kEventNotificationRetried, &EventCounters::notifications_retried},
      {kEventNotificationFailed, &EventCounters::notifications_failed},
      {kEventUpstreamLogoutRedirected, &EventCounters::upstream_logouts_redirected},
      {kEventUpstreamLogoutConfirmed, &EventCounters::upstream_logouts_confirmed},
      {kEventUpstreamLogoutFailed, &EventCounters::upstream_logouts_failed},
      {kEventUpstreamLogoutReceived, &EventCounters::upstream_logouts_received},
  };
  for (const auto& [type, counter] : kCounted) {
    if (event.type != type) continue;
    ++(counters_.*counter);
    break;
  }
}

}  // namespace gh::session
