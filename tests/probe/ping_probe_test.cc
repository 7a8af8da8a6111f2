// PING_CHECK (CONFORMANCE-AND-FAULTS.md §3.3, the ICMP row): echo on IPv4 and IPv6, an
// unanswered echo, and a process without raw-socket rights, which uses an ICMP datagram
// socket where net.ipv4.ping_group_range admits it and fails closed where not.
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

TEST(PingProbe, EchoReplyPassesV4AndV6AsRoot) {
  for (Family f : {Family::kV4, Family::kV6}) {
    Check c(model::CheckerKind::kPing);
    Outcome o = RunCheck(c, Address(f), 0, kTimeout);
    EXPECT_TRUE(o.result.ok) << Address(f) << ": " << o.result.failure << " " << o.result.detail;
  }
}

TEST(PingProbe, DroppedEchoTimesOut) {
  ScopedNft drop("vigil_noecho",
                 "chain input { type filter hook input priority -10; "
                 "icmp type echo-request drop; icmpv6 type echo-request drop; }");
  ASSERT_TRUE(drop.ok());
  for (Family f : {Family::kV4, Family::kV6}) {
    Check c(model::CheckerKind::kPing);
    Outcome o = RunCheck(c, Address(f), 0, kTimeout);
    EXPECT_EQ(o.result.failure, "ping-timeout") << Address(f);
    EXPECT_GE(o.elapsed, kTimeout - Ms(20));
  }
}

// Runs one PING_CHECK in a child that has become nobody (no capabilities left); the child's
// exit status: 0 passed, 1 "ping-no-socket", 2 any other failure.
int PingAsNobody(Family f) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(3);
    boost::asio::io_context io;
    Check c(model::CheckerKind::kPing);
    std::string err;
    auto probe = daemon::MakeProbe(io, c.Spec(Address(f), 0, kTimeout), &err);
    if (!probe) _exit(4);
    Outcome o = RunProbe(io, *probe);
    if (o.reports != 1) _exit(5);
    _exit(o.result.ok ? 0 : o.result.failure == "ping-no-socket" ? 1 : 2);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

TEST(PingProbe, WithoutRawRightsUsesPingGroupRangeOrFailsClosed) {
  ASSERT_TRUE(Sh("sysctl -qw net.ipv4.ping_group_range='1 0'"));
  EXPECT_EQ(PingAsNobody(Family::kV4), 1) << "no datagram socket, no raw socket: fail closed";
  EXPECT_EQ(PingAsNobody(Family::kV6), 1);
  ASSERT_TRUE(Sh("sysctl -qw net.ipv4.ping_group_range='0 2147483647'"));
  EXPECT_EQ(PingAsNobody(Family::kV4), 0) << "an ICMP datagram socket";
  EXPECT_EQ(PingAsNobody(Family::kV6), 0);
  Sh("sysctl -qw net.ipv4.ping_group_range='1 0'");
}

TEST(PingProbe, DestroyedWhileWaitingReportsNothing) {
  ScopedNft drop(
      "vigil_noecho2",
      "chain input { type filter hook input priority -10; icmp type echo-request drop; }");
  ASSERT_TRUE(drop.ok());
  Check c(model::CheckerKind::kPing);
  DestroyMidCheck(c, kTestV4, 0, kTimeout);
}

}  // namespace
}  // namespace vigil::fake
