#include "session/event_log.h"

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
  if (event.type == kEventLogoutStarted)
    ++counters_.logouts_started;
  else if (event.type == kEventSessionEnded)
    ++counters_.sessions_ended;
  else if (event.type == kEventNotificationDelivered)
    ++counters_.notifications_delivered;
  else if (event.type == kEventNotificationRetried)
    ++counters_.notifications_retried;
  else if (event.type == kEventNotificationFailed)
    ++counters_.notifications_failed;
  else if (event.type == kEventUpstreamLogoutRedirected)
    ++counters_.upstream_logouts_redirected;
  else if (event.type == kEventUpstreamLogoutConfirmed)
    ++counters_.upstream_logouts_confirmed;
  else if (event.type == kEventUpstreamLogoutFailed)
    ++counters_.upstream_logouts_failed;
  else if (event.type == kEventUpstreamLogoutReceived)
    ++counters_.upstream_logouts_received;
}

}  // namespace gh::session
