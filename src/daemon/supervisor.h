// The supervisor: vigild's parent process, as keepalived's. It starts the VRRP engine and the
// checker engine as child processes (fresh copies of vigild, handed the configuration
// snapshot the supervisor checked), starts a child again when it dies (RespawnPolicy), stops
// them in order on SIGTERM (the VRRP child first, so that a backup takes the addresses while
// this host still forwards, then the checker child), forwards the other signals, owns the
// pid file and serves the public control socket, answering from the children's own sockets.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace vigil::daemon {

// The configuration read again for a reload.
struct ReloadLoad {
  bool ok = false;                  // no error: the children may be moved to it
  std::vector<std::string> errors;  // "file:line:col: error: ..." when not
  std::string snapshot;             // config::FileSnapshot::Serialize()
};

struct SupervisorOptions {
  std::vector<std::string> argv;  // vigild's own command line, given to each child again
  std::string snapshot;           // config::FileSnapshot::Serialize() of the checked files
  std::string control_socket;
  std::string pid_file;                          // -p (the children write theirs)
  std::string vrrp_pid_file, checkers_pid_file;  // -r, -c: removed when a child dies
  bool run_vrrp = false, run_checker = false;
  bool dont_respawn = false;  // -R: a child's death stops vigild
  // Reload (SIGHUP, or "reload" on the control socket): reads and checks the files again.
  std::function<ReloadLoad()> load;
  std::string snapshot_path;   // where a reload's snapshot goes for the children (mode 0600)
  std::string metrics_listen;  // "ADDR:PORT": serve /metrics there (empty: no listener)
};

// Runs until stopped; returns vigild's exit code. A reload checks the files first and keeps
// the running configuration, reporting the errors (log, and the control socket's reply), if
// they have any error; otherwise each child is asked to move to the new one ("reload" on its
// socket) and the reply says how that went. A reload asked for during one runs after it.
int RunSupervisor(const SupervisorOptions& options);

// The control socket a child serves, beside the public one.
std::string ChildControlSocket(const std::string& control_socket, const std::string& role);
// Where the supervisor writes a reload's configuration snapshot for its children.
std::string ReloadSnapshotPath(const std::string& control_socket);

// How a child learns its part: these environment variables, set by the supervisor.
inline constexpr const char* kChildRoleEnv = "VIGIL_CHILD";  // "vrrp" | "checker"
inline constexpr const char* kParentPidEnv = "VIGIL_PARENT_PID";
inline constexpr const char* kSnapshotFdEnv = "VIGIL_SNAPSHOT_FD";
inline constexpr const char* kReadyFdEnv = "VIGIL_READY_FD";     // a byte when started
inline constexpr const char* kRespawnedEnv = "VIGIL_RESPAWNED";  // "1" after a death

}  // namespace vigil::daemon
