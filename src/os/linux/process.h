// Child processes for scripts (vrrp_script now; notify and MISC_CHECK later): started without
// a shell, in a process group of their own, with a clean environment, stdin/stdout/stderr on
// /dev/null, every other descriptor closed, the parent-death signal set, and the configured
// user and group. A pidfd tells the event loop when the child ends.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace vigil::os {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
};

// "USER [GROUP]" (the group defaults to the user's). Returns nullopt and sets *error if the
// user or group does not exist.
std::optional<Credentials> LookupCredentials(const std::string& user, const std::string& group,
                                             std::string* error);

// keepalived's enable_script_security: a script run as root must not be writable by a user
// other than root, nor any directory above it (after following symlinks). `prog` is looked
// up in PATH as Spawn() looks it up. False, with the reason in *why, if it is not safe.
bool SafeToRunAsRoot(const std::string& prog, std::string* why);

class Child {
 public:
  Child(Child&& o) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();  // kills (SIGKILL to the group) and reaps a child still running

  // Starts argv[0] (an absolute path, or looked up in PATH=/usr/sbin:/usr/bin:/sbin:/bin).
  static std::optional<Child> Spawn(const std::vector<std::string>& argv,
                                    const std::optional<Credentials>& as, std::string* error);

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_; }  // readable when the child has ended

  // Signals the child's process group (the script and whatever it started).
  void Signal(int sig) const;
  // Reaps the child if it has ended: its exit status (a signal counts as 128 + signal).
  std::optional<int> TryReap();

 private:
  Child(pid_t pid, int pidfd) : pid_(pid), pidfd_(pidfd) {}
  pid_t pid_;
  int pidfd_;
  bool reaped_ = false;
};

}  // namespace vigil::os
