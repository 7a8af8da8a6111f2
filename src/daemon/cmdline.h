// vigild's command line: keepalived's options with keepalived's meaning (keepalived(8)).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vigil::daemon {

struct CommandLine {
  std::string config_file = "/etc/keepalived/keepalived.conf";              // -f
  bool vrrp_only = false, check_only = false, no_bfd = false, all = false;  // -P -C -B --all
  bool log_console = false, log_detail = false, no_syslog = false;          // -l -D -G
  std::string log_facility;                                                 // -S
  std::optional<std::string> log_file;                                      // -g[FILE]
  bool flush_log_file = false;
  std::optional<std::string> umask;                                                 // -u
  bool release_vips = false, dont_release_vrrp = false, dont_release_ipvs = false;  // -X -V -I
  bool dont_respawn = false, dont_fork = false;                                     // -R -n
  bool dump_conf = false;                                                           // -d
  std::string pid_file = "/run/keepalived.pid";                                     // -p
  std::string vrrp_pid_file = "/run/keepalived_vrrp.pid";                           // -r
  std::string checkers_pid_file = "/run/keepalived_checkers.pid";                   // -c
  std::string bfd_pid_file = "/run/keepalived_bfd.pid";                             // -b
  bool address_monitoring = false;                                                  // -a
  std::optional<std::string> namespace_name;                                        // -s
  bool all_config = false;                                                          // -e
  std::optional<std::string> config_id;                                             // -i
  bool snmp = false;                                                                // -x
  std::optional<std::string> snmp_socket;                                           // -A
  bool core_dump = false;                                                           // -m
  std::optional<std::string> core_dump_pattern;                                     // -M
  std::optional<std::string> signum;                                                // --signum
  bool config_test = false;                                                         // -t
  std::string config_test_log;                                                      // -t=FILE
  bool version = false, help = false;                                               // -v -h
  bool genhash = false;                                                             // -T
  std::string control_socket = "/run/vigil/vigil.sock";  // --control-socket (Vigil only)
  std::string metrics_listen;  // --metrics-listen ADDR:PORT: Prometheus /metrics (Vigil only)
};

struct ParseOutcome {
  CommandLine cmd;
  int exit_code = -1;   // >= 0: exit now with this code (help, bad option)
  std::string message;  // printed before exiting
};

ParseOutcome ParseCommandLine(int argc, char** argv);

// keepalived --signum: the number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON; nullopt
// for an unknown name.
std::optional<int> SignalNumber(const std::string& name);

// The text of `vigild -v` (printed on stderr, as keepalived does).
std::string VersionText();

}  // namespace vigil::daemon
