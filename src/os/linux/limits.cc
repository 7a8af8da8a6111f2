#include "os/linux/limits.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::os {

size_t RaiseOpenFileLimit(size_t want, std::string* warning) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) {
    *warning = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return 0;
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want) {
    rlim_t target = lim.rlim_max == RLIM_INFINITY ? want : std::min<rlim_t>(want, lim.rlim_max);
    rlimit raised{target, lim.rlim_max};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      lim.rlim_cur = target;
    } else {
      *warning = std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    }
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < want && warning->empty()) {
    *warning = "the hard limit of open files is " + std::to_string(lim.rlim_max);
  }
  return lim.rlim_cur == RLIM_INFINITY ? want : static_cast<size_t>(lim.rlim_cur);
}

}  // namespace vigil::os
