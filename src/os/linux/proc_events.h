// Processes, as track_process sees them: /proc read for one process or all of them, and the
// kernel's process event connector (NETLINK_CONNECTOR, CN_IDX_PROC), which reports forks,
// execs, name changes and exits as they happen. The connector exists only in the initial
// network namespace; elsewhere Open() fails and the caller rescans /proc instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vigil::os {

struct ProcessInfo {
  int pid = 0;
  std::string comm;               // /proc/PID/comm: the name, at most 15 characters
  std::vector<std::string> argv;  // /proc/PID/cmdline
};

// nullopt if the process is gone (or is a kernel thread, which has no command line).
std::optional<ProcessInfo> ReadProcess(int pid);
// The process ids in /proc now.
std::vector<int> ListProcesses();

class ProcConnector {
 public:
  struct Event {
    enum class Kind { kFork, kExec, kComm, kExit };
    Kind kind;
    int pid;  // the process (thread group) concerned: the child of a fork
  };
  ProcConnector(ProcConnector&& o) noexcept;
  ProcConnector(const ProcConnector&) = delete;
  ~ProcConnector();
  // Subscribes to process events; on failure returns nullopt and sets *error.
  static std::optional<ProcConnector> Open(std::string* error);
  int fd() const { return fd_; }
  // What is waiting (non-blocking). Thread events (a thread starting or ending) are left out.
  // Sets *overrun if the kernel dropped events (the caller should rescan).
  std::vector<Event> Read(bool* overrun);

 private:
  explicit ProcConnector(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace vigil::os
