// HTTP pieces for the probe tests: reading a probe's request and writing answers.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <string>

#include "fake_server.h"

namespace vigil::fake {

// Reads the request up to its blank line (at most 2 s, 64 KiB), so that closing afterwards
// sends a FIN rather than a RST.
inline Act ReadRequest() {
  return Act::Call([](int fd) {
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string got;
    char c;
    while (got.size() < (64u << 10) && ::recv(fd, &c, 1, 0) == 1) {
      got.push_back(c);
      if (got.ends_with("\r\n\r\n") || got == "\n") break;
    }
  });
}

inline std::string Answer(const std::string& status_line, const std::string& body,
                          const std::string& headers = "") {
  return status_line + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + headers +
         "\r\n" + body;
}

}  // namespace vigil::fake
