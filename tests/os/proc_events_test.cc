// The kernel's process event connector as os::ProcConnector reads it. Needs root in the
// initial network namespace (where the connector exists): registered with CTest as os_tests.
#include "os/linux/proc_events.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

extern char** environ;

namespace vigil::os {
namespace {

using Kind = ProcConnector::Event::Kind;

// Reads events until `want` is seen for `pid` or 5 s pass.
bool See(ProcConnector& c, Kind want, int pid) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{c.fd(), POLLIN, 0};
    ::poll(&p, 1, 100);
    bool overrun = false;
    for (const auto& e : c.Read(&overrun)) {
      if (e.kind == want && e.pid == pid) return true;
    }
  }
  return false;
}

TEST(ProcConnector, ReportsForkExecAndExitOfAProcess) {
  std::string err;
  auto c = ProcConnector::Open(&err);
  ASSERT_TRUE(c) << err << " (needs root in the initial network namespace)";
  char sleep[] = "sleep", arg[] = "30";
  char* argv[] = {sleep, arg, nullptr};
  pid_t pid;
  ASSERT_EQ(::posix_spawnp(&pid, "sleep", nullptr, nullptr, argv, environ), 0);
  EXPECT_TRUE(See(*c, Kind::kExec, pid));
  auto info = ReadProcess(pid);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->comm, "sleep");
  EXPECT_EQ(info->argv, (std::vector<std::string>{"sleep", "30"}));
  ::kill(pid, SIGKILL);
  EXPECT_TRUE(See(*c, Kind::kExit, pid));
  ::waitpid(pid, nullptr, 0);
  EXPECT_FALSE(ReadProcess(pid));
}

TEST(ProcessList, HoldsThisProcess) {
  auto pids = ListProcesses();
  EXPECT_NE(std::find(pids.begin(), pids.end(), ::getpid()), pids.end());
  auto me = ReadProcess(::getpid());
  ASSERT_TRUE(me);
  EXPECT_FALSE(me->argv.empty());
}

}  // namespace
}  // namespace vigil::os
