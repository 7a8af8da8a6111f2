#include "os/linux/systemd.h"

#include <systemd/sd-daemon.h>

#include <cstdlib>
#include <ctime>

namespace vigil::os {

void Notify(const std::string& state) { ::sd_notify(0, state.c_str()); }

std::chrono::microseconds WatchdogInterval() {
  uint64_t usec = 0;
  if (::sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds{0};
  return std::chrono::microseconds{usec};
}

uint64_t MonotonicUsec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

void ForgetServiceManager() {
  ::unsetenv("NOTIFY_SOCKET");
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
}

}  // namespace vigil::os
