// Runs the VRRP engine and the control socket until SIGTERM/SIGINT (one process for now; the
// supervised parent/child model comes with the operations work).
#pragma once

#include <string>

#include "model/config.h"

namespace vigil::daemon {

// Returns the process exit code.
int RunVrrp(const model::Config& config, const std::string& control_socket);

}  // namespace vigil::daemon
