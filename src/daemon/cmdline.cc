#include "daemon/cmdline.h"

#include <CLI/CLI.hpp>
#include <csignal>

namespace vigil::daemon {

std::optional<int> SignalNumber(const std::string& name) {
  if (name == "STOP") return SIGTERM;
  if (name == "RELOAD") return SIGHUP;
  if (name == "DATA") return SIGUSR1;
  if (name == "STATS") return SIGUSR2;
  if (name == "STATS_CLEAR") return SIGRTMAX - 1;
  if (name == "JSON") return SIGRTMIN + 2;
  return std::nullopt;
}

std::string VersionText() {
  // The version token states the keepalived release whose configuration language and command
  // line Vigil follows: exporters parse it (mehdy/keepalived-exporter takes token 2 of line 1).
  return "Keepalived v2.2.7 (Vigil 0.1.0, keepalived-compatible)\n"
         "\n"
         "Vigil: a high-availability daemon that reads keepalived.conf\n"
         "configure options: --enable-vrrp --enable-lvs --enable-regex --enable-nftables "
         "--enable-json\n";
}

ParseOutcome ParseCommandLine(int argc, char** argv) {
  ParseOutcome out;
  CommandLine& c = out.cmd;
  CLI::App app{"vigild: a keepalived-compatible high-availability daemon", "vigild"};
  app.set_help_flag();  // we handle -h ourselves to keep keepalived's exit code (0)
  app.allow_windows_style_options(false);
  app.add_option("-f,--use-file", c.config_file, "Use the specified configuration file");
  app.add_flag("-P,--vrrp", c.vrrp_only, "Only run with VRRP subsystem");
  app.add_flag("-C,--check", c.check_only, "Only run with Health-checker subsystem");
  app.add_flag("-B,--no_bfd", c.no_bfd, "Don't run BFD subsystem");
  app.add_flag("--all", c.all, "Force all child processes to run");
  app.add_flag("-l,--log-console", c.log_console, "Log messages to local console");
  app.add_flag("-D,--log-detail", c.log_detail, "Detailed log messages");
  app.add_option("-S,--log-facility", c.log_facility, "Syslog facility 0-7|local0-7|user|daemon");
  auto* g = app.add_option("-g,--log-file", "Also log to FILE (default /tmp/keepalived.log)")
                ->expected(0, 1);
  app.add_flag("--flush-log-file", c.flush_log_file, "Flush the log file after each write");
  app.add_flag("-G,--no-syslog", c.no_syslog, "Don't log via syslog");
  auto* u = app.add_option("-u,--umask", "umask for file creation");
  app.add_flag("-X,--release-vips", c.release_vips, "Drop VIP on transition from signal");
  app.add_flag("-V,--dont-release-vrrp", c.dont_release_vrrp, "Keep VIPs on stop");
  app.add_flag("-I,--dont-release-ipvs", c.dont_release_ipvs, "Keep IPVS topology on stop");
  app.add_flag("-R,--dont-respawn", c.dont_respawn, "Don't respawn child processes");
  app.add_flag("-n,--dont-fork", c.dont_fork, "Don't fork the daemon process");
  app.add_flag("-d,--dump-conf", c.dump_conf, "Dump the configuration data");
  app.add_option("-p,--pid", c.pid_file, "pidfile for the parent process");
  app.add_option("-r,--vrrp_pid", c.vrrp_pid_file, "pidfile for the VRRP child");
  app.add_option("-c,--checkers_pid", c.checkers_pid_file, "pidfile for the checkers child");
  app.add_option("-b,--bfd_pid", c.bfd_pid_file, "pidfile for the BFD child");
  app.add_flag("-T,--genhash", c.genhash, "genhash mode");
  app.add_flag("-a,--address-monitoring", c.address_monitoring, "Report address changes");
  auto* s = app.add_option("-s,--namespace", "Run in network namespace NAME");
  app.add_flag("-e,--all-config", c.all_config, "Error if any configuration file is missing");
  auto* i = app.add_option("-i,--config-id", "Configuration id for @id lines");
  app.add_flag("-x,--snmp", c.snmp, "Enable SNMP subsystem");
  auto* a = app.add_option("-A,--snmp-agent-socket", "AgentX socket");
  app.add_flag("-m,--core-dump", c.core_dump, "Produce core dump on abnormal termination");
  auto* m = app.add_option("-M,--core-dump-pattern", "core_pattern")->expected(0, 1);
  auto* sig = app.add_option("--signum", "Print the signal number for SIGFUNC");
  auto* t = app.add_option("-t,--config-test", "Check the configuration and exit")->expected(0, 1);
  app.add_flag("-v,--version", c.version, "Display the version number");
  app.add_option("--control-socket", c.control_socket, "vigilctl's control socket");
  app.add_option("--metrics-listen", c.metrics_listen,
                 "serve Prometheus metrics at http://ADDR:PORT/metrics ([ADDR]:PORT for IPv6)");
  app.add_flag("-h,--help", c.help, "Display this help message");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.exit_code = 1;
    out.message = std::string("vigild: ") + e.what() + "\n" + app.help();
    return out;
  }
  auto opt_value = [](CLI::Option* o) -> std::optional<std::string> {
    if (o->count() == 0) return std::nullopt;
    auto r = o->results();
    return r.empty() ? std::string() : r.back();
  };
  if (auto v = opt_value(g)) c.log_file = v->empty() ? "/tmp/keepalived.log" : *v;
  c.umask = opt_value(u);
  c.namespace_name = opt_value(s);
  c.config_id = opt_value(i);
  c.snmp_socket = opt_value(a);
  if (auto v = opt_value(m)) c.core_dump_pattern = v->empty() ? "core" : *v;
  c.signum = opt_value(sig);
  if (auto v = opt_value(t)) {
    c.config_test = true;
    c.config_test_log = *v;
  }
  if (c.help) {
    out.exit_code = 0;
    out.message = app.help();
  }
  return out;
}

}  // namespace vigil::daemon
