// A log rate limiter: at most `burst` lines per `period` for one kind of message. Lines
// beyond it are counted, and the count is handed to the next line that gets through so it
// can say how many were suppressed. Pure: the caller passes the time.
#pragma once

#include <chrono>
#include <cstdint>

namespace vigil::base {

class RateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimit(int burst, Clock::duration period) : burst_(burst), period_(period) {}

  // True if a line may be written at `now`; then *suppressed is the number of lines refused
  // since the last one allowed.
  bool Allow(Clock::time_point now, uint64_t* suppressed) {
    if (now - window_start_ >= period_) {
      window_start_ = now;
      used_ = 0;
    }
    if (used_ >= burst_) {
      ++suppressed_;
      return false;
    }
    ++used_;
    *suppressed = suppressed_;
    suppressed_ = 0;
    return true;
  }

 private:
  int burst_;
  Clock::duration period_;
  Clock::time_point window_start_{};
  int used_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace vigil::base
