// A child process of the supervisor: the VRRP engine or the checker engine with its own event
// loop and control socket, until SIGTERM; a "reload" request on that socket moves it to the
// configuration the supervisor wrote for it (TakeOver: docs/ARCHITECTURE.md, Reload).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "model/config.h"

namespace vigil::daemon {

struct ChildOptions {
  std::string role;                 // "vrrp" | "checker"
  std::string control_socket;       // this child's own (ChildControlSocket)
  std::string pid_file;             // -r or -c
  bool respawned = false;           // started again after a death: resume where that is safe
  int ready_fd = -1;                // a byte is written here once the engine runs, then closed
  bool keep_vips_on_stop = false;   // -V
  bool keep_table_on_stop = false;  // -I
  // Loads the configuration of a reload (the snapshot the supervisor wrote); nullopt, with
  // the reason, if it cannot be used.
  std::function<std::optional<model::Config>(std::string* error)> load_reload;
};

// Returns the process exit code (1: the engine cannot run at all; a permanent error).
int RunChild(model::Config config, const ChildOptions& options);

}  // namespace vigil::daemon
