// Logging setup: syslog (with keepalived's process idents and a facility from -S), the console
// (-l) and a log file (-g). The rest of Vigil logs through spdlog's default logger.
#pragma once

#include <optional>
#include <string>

namespace vigil::os {

struct LogOptions {
  bool console = false;              // -l
  bool detail = false;               // -D: debug level and source detail
  bool syslog = true;                // cleared by -G
  int facility = -1;                 // -S: 0..7 = LOG_LOCAL0..7; -1 = LOG_DAEMON; -2 = LOG_USER
  std::optional<std::string> file;   // -g
  bool flush_file = false;           // --flush-log-file (the writer flushes every batch)
  std::string ident = "Keepalived";  // keepalived's parent ident; children add _vrrp, ...
};

// Parses -S's argument: 0-7, local0-7, user or daemon. nullopt if invalid.
std::optional<int> ParseFacility(const std::string& s);

// Installs the default logger. It is asynchronous: a writer thread formats and writes the
// lines and flushes the sinks after every batch; spdlog::shutdown() drains it. Safe to call
// again (e.g. in a child with a new ident).
void SetupLogging(const LogOptions& opts);


}  // namespace vigil::os
