#include "os/linux/daemon_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace vigil::os {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

std::optional<pid_t> PidInFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  char buf[32] = {};
  ssize_t n = -1;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(buf, &end, 10);
  if (pid <= 0 || pid > 0x3fffffff || (end && *end != '\n' && *end != '\0')) return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace

bool WriteFileAtomic(const std::string& path, const std::string& bytes, mode_t mode,
                     std::string* error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = Errno(tmp);
    return false;
  }
  ::fchmod(fd, mode);  // not the umask's choice
  bool ok = WriteAll(fd, bytes);
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Errno(path);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool WritePidFile(const std::string& path, pid_t pid, std::string* error) {
  // Readable by exporters, writable by root only.
  return WriteFileAtomic(path, std::to_string(pid) + "\n", 0644, error);
}

std::optional<std::string> ReadFileNoFollow(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *error = Errno(path);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = path + ": not a regular file";
    ::close(fd);
    return std::nullopt;
  }
  return ReadAllAndClose(fd, error);
}

std::optional<pid_t> LivePidInFile(const std::string& path) {
  auto pid = PidInFile(path);
  if (!pid || *pid == ::getpid()) return std::nullopt;
  if (::kill(*pid, 0) == 0 || errno == EPERM) return pid;
  return std::nullopt;
}

void RemovePidFile(const std::string& path, pid_t pid) {
  if (PidInFile(path) == pid) ::unlink(path.c_str());
}

bool Daemonize(std::string* error) {
  pid_t pid = ::fork();
  if (pid < 0) {
    *error = Errno("fork");
    return false;
  }
  if (pid > 0) ::_exit(0);
  ::setsid();
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    if (null > 2) ::close(null);
  }
  return true;
}

int BytesToInheritedFd(const std::string& bytes, std::string* error) {
  int fd = ::memfd_create("vigil-config", 0);  // no MFD_CLOEXEC: the child inherits it
  if (fd < 0) {
    *error = Errno("memfd_create");
    return -1;
  }
  if (!WriteAll(fd, bytes) || ::lseek(fd, 0, SEEK_SET) != 0) {
    *error = Errno("configuration snapshot");
    ::close(fd);
    return -1;
  }
  return fd;
}

std::optional<std::string> ReadAllAndClose(int fd, std::string* error) {
  std::string out;
  char buf[65536];
  if (::lseek(fd, 0, SEEK_SET) != 0) {
    *error = Errno("configuration snapshot");
    ::close(fd);
    return std::nullopt;
  }
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = Errno("configuration snapshot");
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool ReadinessPipe(int fds[2], std::string* error) {
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    *error = Errno("pipe");
    return false;
  }
  return true;
}

pid_t SpawnSelf(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                const std::vector<int>& pass, std::string* error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string s(*e);
    bool replaced = false;
    for (const auto& add : env) {
      auto eq = add.find('=');
      if (s.compare(0, eq + 1, add, 0, eq + 1) == 0) replaced = true;
    }
    if (!replaced) envs.push_back(std::move(s));
  }
  for (const auto& add : env) envs.push_back(add);
  std::vector<char*> envp;
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    *error = Errno("fork");
    return -1;
  }
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec. The signal mask and dispositions the
    // event loop set are reset, so the new program starts as from a shell.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int s = 1; s < NSIG; ++s) ::signal(s, SIG_DFL);
    // The passed descriptors go out of the way first (they may sit where others must go),
    // then to 3, 4, ...; dup2 clears close-on-exec. Everything above is closed.
    int moved[8];
    size_t n = pass.size() < 8 ? pass.size() : 8;
    for (size_t i = 0; i < n; ++i) moved[i] = ::fcntl(pass[i], F_DUPFD_CLOEXEC, 64);
    for (size_t i = 0; i < n; ++i) ::dup2(moved[i], static_cast<int>(3 + i));
    ::syscall(SYS_close_range, static_cast<unsigned>(3 + n), ~0u, 0u);
    ::execve("/proc/self/exe", args.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

bool DieWithParent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  return ::getppid() == parent;
}

void BecomeSubreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }

void SetProcessName(const std::string& name) { ::prctl(PR_SET_NAME, name.substr(0, 15).c_str()); }

}  // namespace vigil::os
