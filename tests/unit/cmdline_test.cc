#include "daemon/cmdline.h"

#include <gtest/gtest.h>

#include <csignal>

namespace vigil::daemon {
namespace {

ParseOutcome Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "vigild");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return ParseCommandLine(static_cast<int>(args.size()), argv.data());
}

TEST(CommandLine, CombinedShortFlags) {
  auto o = Parse({"-lDnP", "-f", "/tmp/x.conf"});
  ASSERT_EQ(o.exit_code, -1) << o.message;
  EXPECT_TRUE(o.cmd.log_console);
  EXPECT_TRUE(o.cmd.log_detail);
  EXPECT_TRUE(o.cmd.dont_fork);
  EXPECT_TRUE(o.cmd.vrrp_only);
  EXPECT_FALSE(o.cmd.check_only);
  EXPECT_EQ(o.cmd.config_file, "/tmp/x.conf");
}

TEST(CommandLine, ConfigTestWithAndWithoutLogFile) {
  auto a = Parse({"-t", "-f", "k.conf"});
  EXPECT_TRUE(a.cmd.config_test);
  EXPECT_EQ(a.cmd.config_test_log, "");
  auto b = Parse({"--config-test=/tmp/t.log"});
  EXPECT_TRUE(b.cmd.config_test);
  EXPECT_EQ(b.cmd.config_test_log, "/tmp/t.log");
}

TEST(CommandLine, LongOptionsAndPidFiles) {
  auto o = Parse({"--use-file=/etc/k.conf", "--dont-fork", "--log-facility=local3", "-p",
                  "/run/a.pid", "-r", "/run/b.pid", "-c", "/run/c.pid", "-b", "/run/d.pid", "-i",
                  "node1", "-s", "blue", "--dump-conf", "-G", "-CB"});
  ASSERT_EQ(o.exit_code, -1) << o.message;
  EXPECT_EQ(o.cmd.config_file, "/etc/k.conf");
  EXPECT_EQ(o.cmd.log_facility, "local3");
  EXPECT_EQ(o.cmd.pid_file, "/run/a.pid");
  EXPECT_EQ(o.cmd.vrrp_pid_file, "/run/b.pid");
  EXPECT_EQ(o.cmd.checkers_pid_file, "/run/c.pid");
  EXPECT_EQ(o.cmd.bfd_pid_file, "/run/d.pid");
  EXPECT_EQ(o.cmd.config_id, "node1");
  EXPECT_EQ(o.cmd.namespace_name, "blue");
  EXPECT_TRUE(o.cmd.dump_conf);
  EXPECT_TRUE(o.cmd.no_syslog);
  EXPECT_TRUE(o.cmd.check_only);
  EXPECT_TRUE(o.cmd.no_bfd);
}

TEST(CommandLine, LogFileDefaultsLikeKeepalived) {
  auto o = Parse({"-g"});
  EXPECT_EQ(o.cmd.log_file, "/tmp/keepalived.log");
  auto p = Parse({"--log-file=/var/log/v.log"});
  EXPECT_EQ(p.cmd.log_file, "/var/log/v.log");
}

TEST(CommandLine, UnknownOptionFails) {
  auto o = Parse({"--no-such-option"});
  EXPECT_EQ(o.exit_code, 1);
}

TEST(CommandLine, HelpExitsZero) { EXPECT_EQ(Parse({"-h"}).exit_code, 0); }

TEST(SignalNumber, MatchesKeepalivedOnGlibc) {
  EXPECT_EQ(SignalNumber("STOP"), SIGTERM);
  EXPECT_EQ(SignalNumber("RELOAD"), SIGHUP);
  EXPECT_EQ(SignalNumber("DATA"), SIGUSR1);
  EXPECT_EQ(SignalNumber("STATS"), SIGUSR2);
  EXPECT_EQ(SignalNumber("STATS_CLEAR"), SIGRTMAX - 1);
  EXPECT_EQ(SignalNumber("JSON"), SIGRTMIN + 2);
  EXPECT_FALSE(SignalNumber("TDUMP"));
}

TEST(Version, FirstLineParsesLikeKeepalivedForExporters) {
  std::string v = VersionText();
  std::string first = v.substr(0, v.find('\n'));
  // mehdy/keepalived-exporter: the second whitespace-separated token, minus its leading 'v'.
  size_t a = first.find(' ');
  size_t b = first.find(' ', a + 1);
  EXPECT_EQ(first.substr(a + 1, b - a - 1), "v2.2.7");
}

}  // namespace
}  // namespace vigil::daemon
