#include "os/linux/proc_events.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace vigil::os {
namespace {

std::optional<std::string> ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < 65536) {
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  if (n < 0) return std::nullopt;
  return out;
}

}  // namespace

std::optional<ProcessInfo> ReadProcess(int pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/";
  auto comm = ReadSmallFile(dir + "comm");
  auto cmdline = ReadSmallFile(dir + "cmdline");
  if (!comm || !cmdline || cmdline->empty()) return std::nullopt;
  ProcessInfo p;
  p.pid = pid;
  p.comm = *comm;
  if (!p.comm.empty() && p.comm.back() == '\n') p.comm.pop_back();
  size_t start = 0;
  while (start < cmdline->size()) {
    size_t end = cmdline->find('\0', start);
    if (end == std::string::npos) end = cmdline->size();
    p.argv.push_back(cmdline->substr(start, end - start));
    start = end + 1;
  }
  return p;
}

std::vector<int> ListProcesses() {
  std::vector<int> pids;
  DIR* d = ::opendir("/proc");
  if (!d) return pids;
  while (dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (end && *end == '\0' && pid > 0) pids.push_back(static_cast<int>(pid));
  }
  ::closedir(d);
  return pids;
}

ProcConnector::ProcConnector(ProcConnector&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }

ProcConnector::~ProcConnector() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<ProcConnector> ProcConnector::Open(std::string* error) {
  int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) {
    *error = std::string("process connector: ") + std::strerror(errno);
    return std::nullopt;
  }
  ProcConnector c(fd);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = CN_IDX_PROC;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    *error = std::string("process connector: bind: ") + std::strerror(errno);
    return std::nullopt;
  }
  alignas(nlmsghdr) char req[NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_cn_mcast_op))] = {};
  auto* nl = reinterpret_cast<nlmsghdr*>(req);
  nl->nlmsg_len = sizeof req;
  nl->nlmsg_type = NLMSG_DONE;
  auto* cn = static_cast<cn_msg*>(NLMSG_DATA(nl));
  cn->id.idx = CN_IDX_PROC;
  cn->id.val = CN_VAL_PROC;
  cn->len = sizeof(proc_cn_mcast_op);
  proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
  std::memcpy(cn->data, &op, sizeof op);
  if (::send(fd, &req, sizeof req, 0) < 0) {
    // ECONNREFUSED outside the initial network namespace.
    *error = std::string("process connector: ") + std::strerror(errno);
    return std::nullopt;
  }
  return c;
}

std::vector<ProcConnector::Event> ProcConnector::Read(bool* overrun) {
  std::vector<Event> out;
  alignas(nlmsghdr) char buf[8192];
  while (true) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == ENOBUFS) {
        *overrun = true;
        continue;
      }
      break;
    }
    auto len = static_cast<unsigned>(n);
    for (auto* nl = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(nl, len); nl = NLMSG_NEXT(nl, len)) {
      if (nl->nlmsg_len < NLMSG_LENGTH(sizeof(cn_msg) + sizeof(proc_event))) continue;
      const auto* cn = static_cast<const cn_msg*>(NLMSG_DATA(nl));
      if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC) continue;
      proc_event ev;
      std::memcpy(&ev, cn->data, sizeof ev);
      switch (ev.what) {
        case proc_event::PROC_EVENT_FORK:
          // A new process, not a new thread: the child leads its own thread group.
          if (ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid) {
            out.push_back({Event::Kind::kFork, ev.event_data.fork.child_tgid});
          }
          break;
        case proc_event::PROC_EVENT_EXEC:
          out.push_back({Event::Kind::kExec, ev.event_data.exec.process_tgid});
          break;
        case proc_event::PROC_EVENT_COMM:
          out.push_back({Event::Kind::kComm, ev.event_data.comm.process_tgid});
          break;
        case proc_event::PROC_EVENT_EXIT:
          if (ev.event_data.exit.process_pid == ev.event_data.exit.process_tgid) {
            out.push_back({Event::Kind::kExit, ev.event_data.exit.process_tgid});
          }
          break;
        default:
          break;
      }
    }
  }
  return out;
}

}  // namespace vigil::os
