// Metrics: sign-out counters and outbox gauges in the Prometheus text exposition format (0.0.4),
// so an operator can alert when logout notifications pile up or fail.
#pragma once

#include <string>

#include "session/event_log.h"
#include "store/records.h"

namespace gh::admin {

// The Content-Type of the exposition format.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Counters are this process's since it started (Prometheus handles resets); the notification
// gauges come from the shared outbox, so they include rows written by CLI revokes.
std::string RenderMetrics(const session::EventCounters& counters,
                          const store::NotificationCounts& outbox);

}  // namespace gh::admin
