#include "os/linux/process.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {
namespace {

constexpr const char* kPath = "/usr/sbin:/usr/bin:/sbin:/bin";

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Resolves argv[0] before fork (the child only makes async-signal-safe calls).
std::string Resolve(const std::string& prog) {
  if (prog.find('/') != std::string::npos) return prog;
  std::string dirs = kPath;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + prog;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return prog;
}

}  // namespace

std::optional<Credentials> LookupCredentials(const std::string& user, const std::string& group,
                                             std::string* error) {
  passwd pw{}, *pwp = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &pwp) != 0 || !pwp) {
    *error = "user " + user + " not found";
    return std::nullopt;
  }
  Credentials c{pw.pw_uid, pw.pw_gid};
  if (!group.empty()) {
    struct group gr {
    }, *grp = nullptr;
    if (::getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &grp) != 0 || !grp) {
      *error = "group " + group + " not found";
      return std::nullopt;
    }
    c.gid = gr.gr_gid;
  }
  return c;
}

bool SafeToRunAsRoot(const std::string& prog, std::string* why) {
  char buf[PATH_MAX];
  std::string resolved = Resolve(prog);
  if (!::realpath(resolved.c_str(), buf)) {
    *why = prog + " cannot be resolved";
    return false;
  }
  std::string path = buf;
  while (true) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      *why = path + " cannot be examined";
      return false;
    }
    if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
      *why = path + " is writable by a user other than root";
      return false;
    }
    if (path == "/") return true;
    auto slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
}

Child::Child(Child&& o) noexcept : pid_(o.pid_), pidfd_(o.pidfd_), reaped_(o.reaped_) {
  o.pidfd_ = -1;
  o.reaped_ = true;
}

Child::~Child() {
  if (!reaped_) {
    Signal(SIGKILL);
    siginfo_t si{};
    ::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
}

std::optional<Child> Child::Spawn(const std::vector<std::string>& argv,
                                  const std::optional<Credentials>& as, std::string* error) {
  if (argv.empty()) {
    *error = "empty command";
    return std::nullopt;
  }
  // Everything the child needs is built here: after fork it may only make
  // async-signal-safe calls (the parent has other threads).
  std::string path = Resolve(argv[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::string env_path = std::string("PATH=") + kPath;
  char* envp[] = {env_path.data(), nullptr};
  sigset_t all;
  sigfillset(&all);
  sigset_t old;
  pthread_sigmask(SIG_SETMASK, &all, &old);  // no handler may run in the child
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    *error = Errno("fork");
    return std::nullopt;
  }
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::syscall(SYS_close_range, 3U, ~0U, 0U);
    if (as) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(as->gid) != 0 || ::setuid(as->uid) != 0) {
        ::_exit(126);
      }
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve(path.c_str(), args.data(), envp);
    ::_exit(127);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  ::setpgid(pid, pid);  // also from here, so that Signal() works at once
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    *error = Errno("pidfd_open");
    ::kill(pid, SIGKILL);
    siginfo_t si{};
    ::waitid(P_PID, static_cast<id_t>(pid), &si, WEXITED);
    return std::nullopt;
  }
  return Child(pid, fd);
}

void Child::Signal(int sig) const {
  if (reaped_) return;
  if (::kill(-pid_, sig) != 0) ::kill(pid_, sig);
}

std::optional<int> Child::TryReap() {
  if (reaped_) return std::nullopt;
  siginfo_t si{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &si, WEXITED | WNOHANG) != 0 || si.si_pid == 0) {
    return std::nullopt;
  }
  reaped_ = true;
  // The script's group may have left children behind (a shell's background jobs).
  ::kill(-pid_, SIGKILL);
  return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}

}  // namespace vigil::os
