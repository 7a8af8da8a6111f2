// vigild: the composition root. It reads and checks the configuration (keepalived's -t and
// -d), detaches unless -n, and runs as the supervisor of a VRRP and a checker child process;
// started by the supervisor (VIGIL_CHILD in its environment) it is one of those children.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "config/config.h"
#include "config/snapshot.h"
#include "daemon/cmdline.h"
#include "daemon/run.h"
#include "daemon/supervisor.h"
#include "os/linux/daemon_process.h"
#include "os/linux/logging.h"
#include "os/linux/real_file_source.h"
#include "os/linux/systemd.h"

namespace {

using vigil::daemon::CommandLine;

bool SetupLogging(const CommandLine& cmd) {
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
      return false;
    }
    log.facility = *f;
  }
  vigil::os::SetupLogging(log);
  return true;
}

vigil::config::LoadResult LoadConfig(const CommandLine& cmd, vigil::ports::FileSource& files) {
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
  return result;
}

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// A child of the supervisor: the same configuration from the snapshot it was handed.
int RunAsChild(const CommandLine& cmd, const std::string& role) {
  namespace d = vigil::daemon;
  if (!SetupLogging(cmd)) return 1;
  pid_t parent = static_cast<pid_t>(std::atoi(Env(d::kParentPidEnv)));
  if (!vigil::os::DieWithParent(parent)) return 0;  // the supervisor is already gone
  vigil::os::ForgetServiceManager();                // only the supervisor talks to systemd
  vigil::os::SetProcessName(role == "vrrp" ? "vigild_vrrp" : "vigild_check");
  std::string err;
  auto bytes = vigil::os::ReadAllAndClose(std::atoi(Env(d::kSnapshotFdEnv)), &err);
  auto snap = bytes ? vigil::config::FileSnapshot::Parse(*bytes) : std::nullopt;
  if (!snap) {
    spdlog::error("{} child: no configuration snapshot from the supervisor {}", role, err);
    return 2;
  }
  vigil::config::SnapshotFileSource files(std::move(*snap));
  auto result = LoadConfig(cmd, files);
  for (const auto& diag : result.diags.all()) spdlog::debug("{}", diag.ToString());
  if (result.diags.HasAtLeast(vigil::base::Severity::kFatal)) return 2;
  d::ChildOptions o;
  o.role = role;
  o.control_socket = d::ChildControlSocket(cmd.control_socket, role);
  o.pid_file = role == "vrrp" ? cmd.vrrp_pid_file : cmd.checkers_pid_file;
  o.respawned = std::string(Env(d::kRespawnedEnv)) == "1";
  o.ready_fd = *Env(d::kReadyFdEnv) ? std::atoi(Env(d::kReadyFdEnv)) : -1;
  o.keep_vips_on_stop = cmd.dont_release_vrrp;
  o.keep_table_on_stop = cmd.dont_release_ipvs;
  std::string snapshot_path = d::ReloadSnapshotPath(cmd.control_socket);
  o.load_reload = [&cmd, snapshot_path](std::string* error) -> std::optional<vigil::model::Config> {
    auto bytes = vigil::os::ReadFileNoFollow(snapshot_path, error);
    if (!bytes) return std::nullopt;
    auto snap = vigil::config::FileSnapshot::Parse(*bytes);
    if (!snap) {
      *error = snapshot_path + ": not a configuration snapshot";
      return std::nullopt;
    }
    vigil::config::SnapshotFileSource files(std::move(*snap));
    auto r = LoadConfig(cmd, files);
    if (r.diags.HasAtLeast(vigil::base::Severity::kError)) {
      *error = "the snapshot has errors";
      return std::nullopt;
    }
    return std::move(r.config);
  };
  return d::RunChild(std::move(result.config), o);
}

int Run(const CommandLine& cmd, std::vector<std::string> argv) {
  if (!SetupLogging(cmd)) return 1;
  vigil::os::RealFileSource disk;
  vigil::config::FileSnapshot snapshot;
  vigil::config::RecordingFileSource files(disk, snapshot);
  auto result = LoadConfig(cmd, files);

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
  vigil::daemon::SupervisorOptions so;
  so.argv = std::move(argv);
  so.snapshot = snapshot.Serialize();
  so.control_socket = cmd.control_socket;
  so.pid_file = cmd.pid_file;
  so.vrrp_pid_file = cmd.vrrp_pid_file;
  so.checkers_pid_file = cmd.checkers_pid_file;
  // keepalived: -P only VRRP, -C only the checker; a part the configuration lacks is not
  // started unless --all.
  so.run_vrrp = !cmd.check_only && (result.config.HasVrrp() || cmd.all);
  so.run_checker = !cmd.vrrp_only && (result.config.HasLvs() || cmd.all);
  so.dont_respawn = cmd.dont_respawn;
  so.snapshot_path = vigil::daemon::ReloadSnapshotPath(cmd.control_socket);
  so.metrics_listen = cmd.metrics_listen;
  so.load = [&cmd]() {
    vigil::daemon::ReloadLoad out;
    vigil::os::RealFileSource disk;
    vigil::config::FileSnapshot snap;
    vigil::config::RecordingFileSource files(disk, snap);
    auto r = LoadConfig(cmd, files);
    for (const auto& d : r.diags.all()) {
      if (d.severity >= vigil::base::Severity::kError) out.errors.push_back(d.ToString());
    }
    if (out.errors.empty() && !r.config.HasVrrp() && !r.config.HasLvs()) {
      out.errors.push_back(cmd.config_file +
                           ": the new configuration has neither a vrrp_instance nor a "
                           "virtual_server");
    }
    out.ok = out.errors.empty();
    if (out.ok) out.snapshot = snap.Serialize();
    return out;
  };
  auto slash = cmd.control_socket.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    ::mkdir(cmd.control_socket.substr(0, slash).c_str(), 0755);
  }
  return vigil::daemon::RunSupervisor(so);
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
  std::string role = Env(vigil::daemon::kChildRoleEnv);
  if (!role.empty()) {
    int rc = RunAsChild(cmd, role);
    spdlog::shutdown();
    return rc;
  }
  // keepalived detaches before it reads the configuration, unless -n; -t always stays.
  if (!cmd.dont_fork && !cmd.config_test && !cmd.dump_conf) {
    std::string err;
    if (!vigil::os::Daemonize(&err)) {
      std::fprintf(stderr, "vigild: %s\n", err.c_str());
      return 1;
    }
  }
  int rc = Run(cmd, std::vector<std::string>(argv, argv + argc));
  spdlog::shutdown();  // the asynchronous writer drains its queue before the process ends
  return rc;
}
