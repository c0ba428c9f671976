#include "core/clock.h"

namespace gh {

std::int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixSeconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }

TimePoint SystemClock::Now() const { return std::chrono::system_clock::now(); }

}  // namespace gh
