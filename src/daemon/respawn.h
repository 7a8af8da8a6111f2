// When the supervisor starts a child that died again (keepalived's calc_restart_delay): at
// once if it had run for more than a minute, otherwise after a delay that starts at 1 s and
// doubles with every quick death, up to a minute. Pure.
#pragma once

#include <algorithm>
#include <chrono>

namespace vigil::daemon {

struct RespawnPolicy {
  using Duration = std::chrono::milliseconds;
  static constexpr Duration kStable = std::chrono::seconds(60);
  static constexpr Duration kFirst = std::chrono::seconds(1);
  static constexpr Duration kMax = std::chrono::seconds(60);

  // `ran_for`: how long the child that just died had run; `previous`: the delay before its
  // start (zero for a first start or a start at once). Returns the delay before the next.
  static Duration Next(Duration ran_for, Duration previous) {
    if (ran_for > kStable) return Duration{0};
    if (previous.count() == 0) return kFirst;
    return std::min(previous * 2, kMax);
  }

  // keepalived's permanent exit codes: a fatal error (1), a configuration error (2), a
  // missing permission (4). A child that exits with one of them is not started again: the
  // whole daemon stops, with that code.
  static bool Permanent(int exit_code) {
    return exit_code == 1 || exit_code == 2 || exit_code == 4;
  }
};

}  // namespace vigil::daemon
