#include "os/linux/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

namespace vigil::os {

std::optional<int> ParseFacility(const std::string& s) {
  std::string v = s;
  if (v.rfind("local", 0) == 0) v = v.substr(5);
  if (v.size() == 1 && v[0] >= '0' && v[0] <= '7') return v[0] - '0';
  if (s == "daemon") return -1;
  if (s == "user") return -2;
  return std::nullopt;
}

void SetupLogging(const LogOptions& o) {
  std::vector<spdlog::sink_ptr> sinks;
  if (o.syslog) {
    static const int kLocal[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                 LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    int facility =
        o.facility >= 0 ? kLocal[o.facility] : (o.facility == -2 ? LOG_USER : LOG_DAEMON);
    auto s = std::make_shared<spdlog::sinks::syslog_sink_mt>(o.ident, LOG_PID, facility, false);
    s->set_pattern("%v");
    sinks.push_back(s);
  }
  if (o.console) {
    auto s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_pattern(o.ident + "[%P]: %v");
    sinks.push_back(s);
  }
  if (o.file) {
    auto s = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*o.file, false);
    s->set_pattern("%Y-%m-%d %H:%M:%S.%e " + o.ident + "[%P]: %v");
    sinks.push_back(s);
  }
  auto logger = std::make_shared<spdlog::logger>(o.ident, sinks.begin(), sinks.end());
  logger->set_level(o.detail ? spdlog::level::debug : spdlog::level::info);
  if (o.flush_file || o.detail) logger->flush_on(spdlog::level::debug);
  spdlog::set_default_logger(logger);
}

}  // namespace vigil::os
