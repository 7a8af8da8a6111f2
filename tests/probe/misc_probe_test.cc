// MISC_CHECK (CONFORMANCE-AND-FAULTS.md §3.3, the MISC row): exit statuses, misc_dynamic
// weights that never accumulate, a hung script killed at misc_timeout (TERM, then KILL for
// one that ignores TERM), and no second run while one is being killed.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

class MiscProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/vigil-misc-XXXXXX";
    ASSERT_TRUE(::mkdtemp(dir));
    dir_ = dir;
  }
  void TearDown() override { Sh("rm -rf " + dir_); }

  // A script `name` with `body` (sh); its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }
  Check Misc(const std::string& path, Ms timeout, bool dynamic = false) {
    Check c(model::CheckerKind::kMisc);
    model::Script s;
    s.argv = {path};
    c.details().misc_path = s;
    c.details().misc_timeout = std::chrono::duration_cast<model::Duration>(timeout);
    c.details().misc_dynamic = dynamic;
    return c;
  }
  bool Alive(const std::string& pid_file) {
    std::ifstream in(pid_file);
    int pid = 0;
    return (in >> pid) && pid > 0 && ::kill(pid, 0) == 0;
  }
  bool GoneWithin(const std::string& pid_file, Ms limit) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (!Alive(pid_file)) return true;
      std::this_thread::sleep_for(Ms(20));
    }
    return false;
  }
  std::string dir_;
};

TEST_F(MiscProbeTest, ExitStatusDecides) {
  EXPECT_TRUE(RunCheck(Misc(Script("ok", "exit 0"), Ms(2000)), kTestV4, 0, Ms(2000)).result.ok);
  Outcome one = RunCheck(Misc(Script("one", "exit 1"), Ms(2000)), kTestV4, 0, Ms(2000));
  EXPECT_EQ(one.result.failure, "misc-exit");
  Outcome three = RunCheck(Misc(Script("three", "exit 3"), Ms(2000)), kTestV4, 0, Ms(2000));
  EXPECT_EQ(three.result.failure, "misc-exit") << "2-255 pass only with misc_dynamic";
  Outcome sig = RunCheck(Misc(Script("sig", "kill -9 $$"), Ms(2000)), kTestV4, 0, Ms(2000));
  EXPECT_EQ(sig.result.failure, "misc-exit");
}

TEST_F(MiscProbeTest, DynamicWeightIsAbsoluteAndNeverAccumulates) {
  Check c = Misc(Script("w", "exit 7"), Ms(2000), true);
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, c.Spec(kTestV4, 0, Ms(2000)), &err);
  ASSERT_TRUE(probe) << err;
  for (int run = 0; run < 3; ++run) {
    Outcome o = RunProbe(io, *probe);
    EXPECT_TRUE(o.result.ok) << o.result.failure;
    ASSERT_TRUE(o.result.weight);
    EXPECT_EQ(*o.result.weight, 5) << "run " << run;
  }
  Outcome top = RunCheck(Misc(Script("top", "exit 255"), Ms(2000), true), kTestV4, 0, Ms(2000));
  ASSERT_TRUE(top.result.weight);
  EXPECT_EQ(*top.result.weight, 253);
  Outcome one = RunCheck(Misc(Script("one", "exit 1"), Ms(2000), true), kTestV4, 0, Ms(2000));
  EXPECT_EQ(one.result.failure, "misc-exit");
}

TEST_F(MiscProbeTest, HungScriptIsKilledAtMiscTimeout) {
  std::string pid_file = dir_ + "/pid";
  Check c = Misc(Script("hang", "echo $$ > " + pid_file + "\nexec sleep 30"), Ms(400));
  Outcome o = RunCheck(c, kTestV4, 0, Ms(400));
  EXPECT_EQ(o.result.failure, "misc-timeout");
  EXPECT_GE(o.elapsed, Ms(380));
  EXPECT_LT(o.elapsed, Ms(1900));
  EXPECT_TRUE(GoneWithin(pid_file, Ms(1000))) << "SIGTERM ended it";
}

TEST_F(MiscProbeTest, ScriptIgnoringTermIsKilledAndNoSecondRunStartsMeanwhile) {
  std::string pid_file = dir_ + "/pid";
  std::string runs = dir_ + "/runs";
  Check c = Misc(Script("stubborn", "echo run >> " + runs + "\necho $$ > " + pid_file +
                                        "\ntrap '' TERM\nwhile :; do sleep 0.05; done"),
                 Ms(300));
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, c.Spec(kTestV4, 0, Ms(300)), &err);
  ASSERT_TRUE(probe) << err;
  io.restart();
  int reports = 0;
  daemon::ProbeResult first, second;
  probe->Start([&](daemon::ProbeResult r) {
    ++reports;
    first = r;
    // Straight after the timeout the script is still being stopped.
    probe->Start([&](daemon::ProbeResult r2) {
      ++reports;
      second = r2;
    });
  });
  io.run_for(Ms(3000));
  EXPECT_EQ(reports, 2);
  EXPECT_EQ(first.failure, "misc-timeout");
  EXPECT_EQ(second.failure, "misc-still-running");
  EXPECT_TRUE(GoneWithin(pid_file, Ms(2000))) << "SIGKILL a second after SIGTERM";
  std::ifstream in(runs);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) ++n;
  EXPECT_EQ(n, 1) << "one run only";
}

TEST_F(MiscProbeTest, MissingProgramCannotStart) {
  Outcome o = RunCheck(Misc(dir_ + "/absent", Ms(1000)), kTestV4, 0, Ms(1000));
  EXPECT_FALSE(o.result.ok);
  EXPECT_TRUE(o.result.failure == "misc-cannot-start" || o.result.failure == "misc-exit" ||
              o.result.failure == "misc-refused")
      << o.result.failure;
}

}  // namespace
}  // namespace vigil::fake
