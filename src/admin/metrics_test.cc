#include "admin/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gh::admin {
namespace {

using ::testing::HasSubstr;

TEST(Metrics, RendersCountersAndOutboxGaugesInPrometheusTextFormat) {
  session::EventCounters counters;
  counters.logouts_started = 3;
  counters.sessions_ended = 4;
  counters.notifications_delivered = 10;
  counters.notifications_retried = 2;
  counters.notifications_failed = 1;
  counters.logins_throttled = 7;
  counters.upstream_logouts_confirmed = 6;
  counters.upstream_logouts_received = 8;
  std::string text = RenderMetrics(counters, {.pending = 5, .delivered = 11, .failed = 1});

  EXPECT_THAT(text, HasSubstr("# TYPE gatehouse_logouts_started_total counter\n"
                              "gatehouse_logouts_started_total 3\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_sessions_ended_total 4\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_logout_notifications_delivered_total 10\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_logout_notifications_retried_total 2\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_logout_notifications_failed_total 1\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_logins_throttled_total 7\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE gatehouse_upstream_logouts_total counter\n"));
  EXPECT_THAT(text, HasSubstr("\ngatehouse_upstream_logouts_total{outcome=\"confirmed\"} 6\n"
                              "gatehouse_upstream_logouts_total{outcome=\"failed\"} 0\n"
                              "gatehouse_upstream_logouts_total{outcome=\"received\"} 8\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE gatehouse_logout_notifications gauge\n"
                              "gatehouse_logout_notifications{status=\"pending\"} 5\n"
                              "gatehouse_logout_notifications{status=\"delivered\"} 11\n"
                              "gatehouse_logout_notifications{status=\"failed\"} 1\n"));
}

TEST(Metrics, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  std::string text = RenderMetrics(session::EventCounters{}, {});
  int families = 0;
  std::size_t pos = 0;
  while ((pos = text.find("# HELP ", pos)) != std::string::npos) {
    ++families;
    auto line_end = text.find('\n', pos);
    ASSERT_EQ(text.compare(line_end + 1, 7, "# TYPE "), 0) << text;
    pos = line_end;
  }
  EXPECT_EQ(families, 8);
  EXPECT_EQ(text.back(), '\n');  // the format requires a final line feed
}

}  // namespace
}  // namespace gh::admin
