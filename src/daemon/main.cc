// vigild: the composition root. It reads and checks the configuration (keepalived's -t and
// -d) and runs the VRRP engine and the checker engine.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "daemon/cmdline.h"
#include "daemon/run.h"
#include "os/linux/logging.h"
#include "os/linux/real_file_source.h"

namespace {

using vigil::daemon::CommandLine;

int Run(const CommandLine& cmd) {
  vigil::os::LogOptions log;
  log.console = cmd.log_console;
  log.detail = cmd.log_detail;
  log.syslog = !cmd.no_syslog && !cmd.config_test;
  log.file = cmd.log_file;
  log.flush_file = cmd.flush_log_file;
  if (!cmd.log_facility.empty()) {
    auto f = vigil::os::ParseFacility(cmd.log_facility);
    if (!f) {
      std::fprintf(stderr, "vigild: invalid log facility '%s'\n", cmd.log_facility.c_str());
      return 1;
    }
    log.facility = *f;
  }
  vigil::os::SetupLogging(log);

  vigil::os::RealFileSource files;
  vigil::config::LoadOptions opts;
  opts.preprocess.config_id = cmd.config_id.value_or(vigil::os::ShortHostname());
  opts.preprocess.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  opts.interface_exists = vigil::os::InterfaceExists;
  opts.interface_is_loopback = vigil::os::InterfaceIsLoopback;
  auto result = vigil::config::Load(cmd.config_file, files, opts);
  if (cmd.all_config) {
    // -e: a missing or unreadable included file is an error, not a note.
    vigil::base::Diagnostics strict;
    for (const auto& d : result.diags.all()) {
      bool missing = d.kind == vigil::base::DiagKind::kMissingInclude;
      strict.Add(missing ? vigil::base::Severity::kError : d.severity, d.loc, d.message,
                 missing ? vigil::base::DiagKind::kGeneral : d.kind);
    }
    result.diags = std::move(strict);
  }

  if (cmd.config_test) {
    std::ofstream logfile;
    if (!cmd.config_test_log.empty()) logfile.open(cmd.config_test_log, std::ios::app);
    std::ostream& os = logfile.is_open() ? static_cast<std::ostream&>(logfile) : std::cerr;
    for (const auto& d : result.diags.all()) {
      if (d.severity == vigil::base::Severity::kNote && !cmd.log_detail) continue;
      os << d.ToString() << "\n";
    }
    if (cmd.dump_conf) std::cout << vigil::config::Dump(result.config);
    return vigil::config::ConfigTestExitCode(result.diags);
  }

  for (const auto& d : result.diags.all()) {
    switch (d.severity) {
      case vigil::base::Severity::kNote:
        spdlog::debug("{}", d.ToString());
        break;
      case vigil::base::Severity::kWarning:
        spdlog::warn("{}", d.ToString());
        break;
      default:
        spdlog::error("{}", d.ToString());
    }
  }
  if (cmd.dump_conf) std::cout << vigil::config::Dump(result.config);
  if (result.diags.HasAtLeast(vigil::base::Severity::kFatal)) return 4;
  if (!result.config.HasVrrp() && !result.config.HasLvs()) {
    spdlog::error("this configuration has neither a vrrp_instance nor a virtual_server");
    return 1;
  }
  return vigil::daemon::RunVrrp(result.config, cmd.control_socket);
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = vigil::daemon::ParseCommandLine(argc, argv);
  if (parsed.exit_code >= 0) {
    std::fputs(parsed.message.c_str(), parsed.exit_code ? stderr : stdout);
    return parsed.exit_code;
  }
  const CommandLine& cmd = parsed.cmd;
  if (cmd.version) {
    std::fputs(vigil::daemon::VersionText().c_str(), stderr);
    return 0;
  }
  if (cmd.signum) {
    auto n = vigil::daemon::SignalNumber(*cmd.signum);
    if (!n) {
      std::fprintf(stderr, "Unknown sigfunc %s\n", cmd.signum->c_str());
      return 1;
    }
    std::printf("%d\n", *n);
    return 0;
  }
  int rc = Run(cmd);
  spdlog::shutdown();  // the asynchronous writer drains its queue before the process ends
  return rc;
}
