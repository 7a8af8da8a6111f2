// The service manager's notification protocol (sd_notify(3)), through libsystemd. Every
// call is a no-op when vigild was not started by systemd (no NOTIFY_SOCKET).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vigil::os {

// Sends `state` ("READY=1", "RELOADING=1\nMONOTONIC_USEC=...", "STATUS=...", "WATCHDOG=1").
void Notify(const std::string& state);
// The watchdog interval systemd asked of this process (WatchdogSec), zero if none.
std::chrono::microseconds WatchdogInterval();
// CLOCK_MONOTONIC in microseconds, for RELOADING=1's MONOTONIC_USEC.
uint64_t MonotonicUsec();
// A child process: the notifications are the supervisor's alone.
void ForgetServiceManager();

}  // namespace vigil::os
