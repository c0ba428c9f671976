#include "admin/metrics.h"

#include <cstdint>
#include <string_view>

namespace gh::admin {
namespace {

void Family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Sample(std::string& out, std::string_view name, std::int64_t value) {
  out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

void Counter(std::string& out, std::string_view name, std::string_view help, std::int64_t value) {
  Family(out, name, "counter", help);
  Sample(out, name, value);
}

}  // namespace

std::string RenderMetrics(const session::EventCounters& counters,
                          const store::NotificationCounts& outbox) {
  std::string out;
  Counter(out, "gatehouse_logouts_started_total", "Sign-outs asked for (by an RP, user or admin).",
          counters.logouts_started.load());
  Counter(out, "gatehouse_sessions_ended_total", "IdP sessions ended, for any cause.",
          counters.sessions_ended.load());
  Counter(out, "gatehouse_logout_notifications_delivered_total",
          "Logout notifications a participant confirmed.", counters.notifications_delivered.load());
  Counter(out, "gatehouse_logout_notifications_retried_total",
          "Logout notification attempts that failed and were rescheduled.",
          counters.notifications_retried.load());
  Counter(out, "gatehouse_logout_notifications_failed_total", "Logout notifications given up on.",
          counters.notifications_failed.load());
  Counter(out, "gatehouse_logins_throttled_total",
          "Sign-in attempts refused because their source or account was guessing.",
          counters.logins_throttled.load());
  constexpr std::string_view kUpstream = "gatehouse_upstream_logouts_total";
  Family(out, kUpstream, "counter",
         "The upstream leg of sign-outs: browsers sent to an upstream's sign-out, returns that "
         "confirmed it, legs that could not be carried out, sign-outs an upstream started.");
  for (auto [outcome, value] : {std::pair{"redirected", &counters.upstream_logouts_redirected},
                                std::pair{"confirmed", &counters.upstream_logouts_confirmed},
                                std::pair{"failed", &counters.upstream_logouts_failed},
                                std::pair{"received", &counters.upstream_logouts_received}})
    Sample(out, std::string(kUpstream) + "{outcome=\"" + outcome + "\"}", value->load());
  constexpr std::string_view kGauge = "gatehouse_logout_notifications";
  Family(out, kGauge, "gauge", "Logout notifications in the outbox, by status.");
  Sample(out, std::string(kGauge) + "{status=\"pending\"}", outbox.pending);
  Sample(out, std::string(kGauge) + "{status=\"delivered\"}", outbox.delivered);
  Sample(out, std::string(kGauge) + "{status=\"failed\"}", outbox.failed);
  return out;
}

}  // namespace gh::admin
