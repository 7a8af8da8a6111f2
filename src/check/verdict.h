// A checker's timing and verdict, pure (keepalived.conf(5), virtual_server section): what a
// check result means for the real server, and when the next check is due. No clock and no
// sockets: the caller stamps each input with `now` and runs the probe the schedule asks for.
//
//   Up, a check succeeds         -> next check after delay_loop
//   Up, a check fails            -> retry: up to `retry` more checks, delay_before_retry apart;
//                                   the server goes down when the last of them fails too
//                                   (a success among them ends the retries, still up)
//   Down, a check fails          -> next check after delay_loop, still down
//   Down, a check succeeds       -> up at once, next check after delay_loop
// The first check is due after `warmup` (a random delay up to it, chosen by the caller) and a
// server starts up, or down with alpha.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "model/config.h"

namespace vigil::check {

using Duration = std::chrono::microseconds;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

// The settings that decide the schedule, resolved from the checker, then its real server,
// then its virtual server, then keepalived's defaults.
struct Timing {
  Duration delay_loop = model::defaults::kDelayLoop;
  Duration connect_timeout = model::defaults::kConnectTimeout;
  Duration delay_before_retry = model::defaults::kDelayBeforeRetry;
  Duration warmup{0};  // the largest random delay before the first check
  int retry = model::defaults::kRetry;
  bool alpha = false;
  bool operator==(const Timing&) const = default;
};

// keepalived's inheritance and defaults: delay_before_retry defaults to 3 s for HTTP_GET and
// SSL_GET, to delay_loop for DNS_CHECK, 1 s otherwise; warmup defaults to delay_loop.
Timing ResolveTiming(const model::CheckerConf& c, const model::RealServerConf& rs,
                     const model::VirtualServerConf& vs);

struct Transition {
  bool changed = false;  // up() changed with this result
  bool up = false;
  std::string reason;  // for logs: "check failed after 2 retries", ...
};

class Verdict {
 public:
  // The first check is due at `first_check` (now + the caller's random share of warmup).
  Verdict(const Timing& t, TimePoint first_check);
  bool up() const { return up_; }
  TimePoint next_check() const { return next_; }
  int retries_left() const { return retries_left_; }
  const Timing& timing() const { return timing_; }
  uint64_t checks() const { return checks_; }
  uint64_t failures() const { return failures_; }
  // Records one probe's result (a timeout is a failure) and schedules the next check, an
  // interval (delay_loop, or delay_before_retry) after `now`, the check's end. `late` is how
  // long after next_check() the check started (a busy event loop): the next one is due that
  // much sooner, at most by the interval, so a server's period stays the interval plus the
  // check's own duration instead of growing with the loop's lag (keepalived's does).
  Transition Record(bool success, TimePoint now, Duration late = Duration::zero());
  // A reload: the same checker under the previous configuration's verdict carries over (its
  // state, counters, retries left and next check), with this one's timing from now on.
  void Inherit(const Verdict& old) {
    up_ = old.up_;
    next_ = old.next_;
    retries_left_ = std::min(old.retries_left_, timing_.retry);
    checks_ = old.checks_;
    failures_ = old.failures_;
  }

 private:
  Timing timing_;
  bool up_;
  TimePoint next_;
  int retries_left_;
  uint64_t checks_ = 0, failures_ = 0;
};

}  // namespace vigil::check
