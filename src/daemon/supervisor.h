// The supervisor: vigild's parent process, as keepalived's. It starts the VRRP engine and the
// checker engine as child processes (fresh copies of vigild, handed the configuration
// snapshot the supervisor checked), starts a child again when it dies (RespawnPolicy), stops
// them in order on SIGTERM (the VRRP child first, so that a backup takes the addresses while
// this host still forwards, then the checker child), forwards the other signals, owns the
// pid file and serves the public control socket, answering from the children's own sockets.
#pragma once

#include <string>
#include <vector>

namespace vigil::daemon {

struct SupervisorOptions {
  std::vector<std::string> argv;  // vigild's own command line, given to each child again
  std::string snapshot;           // config::FileSnapshot::Serialize() of the checked files
  std::string control_socket;
  std::string pid_file;                          // -p (the children write theirs)
  std::string vrrp_pid_file, checkers_pid_file;  // -r, -c: removed when a child dies
  bool run_vrrp = false, run_checker = false;
  bool dont_respawn = false;  // -R: a child's death stops vigild
};

// Runs until stopped; returns vigild's exit code.
int RunSupervisor(const SupervisorOptions& options);

// The control socket a child serves, beside the public one.
std::string ChildControlSocket(const std::string& control_socket, const std::string& role);

// How a child learns its part: these environment variables, set by the supervisor.
inline constexpr const char* kChildRoleEnv = "VIGIL_CHILD";  // "vrrp" | "checker"
inline constexpr const char* kParentPidEnv = "VIGIL_PARENT_PID";
inline constexpr const char* kSnapshotFdEnv = "VIGIL_SNAPSHOT_FD";
inline constexpr const char* kRespawnedEnv = "VIGIL_RESPAWNED";  // "1" after a death

}  // namespace vigil::daemon
