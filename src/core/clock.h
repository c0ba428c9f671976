// Clock: the only source of wall time for logic code, so tests can drive expiry and backoff.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gh {

using TimePoint = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// Seconds since the Unix epoch, as JWT `iat`/`exp` and the store use them.
std::int64_t ToUnixSeconds(TimePoint t);
TimePoint FromUnixSeconds(std::int64_t s);

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

// A clock that moves only when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixSeconds(1'700'000'000))
      : now_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  void Advance(TimePoint::duration d) { now_ += d.count(); }
  void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::duration::rep> now_;
};

}  // namespace gh
