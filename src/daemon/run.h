// A child process of the supervisor: the VRRP engine or the checker engine with its own event
// loop and control socket, until SIGTERM.
#pragma once

#include <string>

#include "model/config.h"

namespace vigil::daemon {

struct ChildOptions {
  std::string role;            // "vrrp" | "checker"
  std::string control_socket;  // this child's own (ChildControlSocket)
  std::string pid_file;        // -r or -c
  bool respawned = false;      // started again after a death: resume where that is safe
};

// Returns the process exit code (1: the engine cannot run at all; a permanent error).
int RunChild(const model::Config& config, const ChildOptions& options);

}  // namespace vigil::daemon
