#include "os/linux/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {
namespace {

std::string Path(const std::string& family, const std::string& ifname, const std::string& key) {
  return "/proc/sys/net/" + family + "/conf/" + ifname + "/" + key;
}

}  // namespace

std::optional<std::string> ReadInterfaceSysctl(const std::string& family, const std::string& ifname,
                                               const std::string& key) {
  int fd = ::open(Path(family, ifname, key).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n < 0) return std::nullopt;
  std::string v(buf, static_cast<size_t>(n));
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

bool WriteInterfaceSysctl(const std::string& family, const std::string& ifname,
                          const std::string& key, const std::string& value, std::string* error) {
  std::string path = Path(family, ifname, key);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  bool ok =
      fd >= 0 && ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  if (!ok) *error = path + ": " + std::strerror(errno);
  if (fd >= 0) ::close(fd);
  return ok;
}

}  // namespace vigil::os
