// TCP_CHECK against misbehaving targets (CONFORMANCE-AND-FAULTS.md §3.3, first row).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <vector>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

TEST(TcpProbe, PassesWhenTheConnectionOpensV4AndV6) {
  for (Family f : {Family::kV4, Family::kV6}) {
    TcpFake server({Act::Hang()}, f);
    Check c(model::CheckerKind::kTcp);
    Outcome o = RunCheck(c, server.address(), server.port(), kTimeout);
    EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
    EXPECT_TRUE(server.WaitFinished(1, Ms(2000))) << "the probe closes its connection";
  }
}

TEST(TcpProbe, AcceptThenImmediateClosePasses) {
  // TCP_CHECK asks only that the connection opens (keepalived's tcp_check).
  TcpFake server({Act::Close()});
  Check c(model::CheckerKind::kTcp);
  EXPECT_TRUE(RunCheck(c, server.address(), server.port(), kTimeout).result.ok);
}

TEST(TcpProbe, ResetIsConnectRefused) {
  Check c(model::CheckerKind::kTcp);
  Outcome o = RunCheck(c, kTestV4, UnusedPort(Family::kV4, SOCK_STREAM), kTimeout);
  EXPECT_EQ(o.result.failure, "connect-refused");
  EXPECT_LT(o.elapsed, kTimeout) << "a RST fails at once, not at the deadline";
}

TEST(TcpProbe, UnansweredSynFailsAtTheDeadline) {
  for (Family f : {Family::kV4, Family::kV6}) {
    Check c(model::CheckerKind::kTcp);
    Outcome o = RunCheck(c, Address(f), BlackholePort(), kTimeout);
    EXPECT_EQ(o.result.failure, "connect-timeout");
    EXPECT_GE(o.elapsed, kTimeout - Ms(20));
    EXPECT_LT(o.elapsed, kTimeout + Ms(1500));
  }
}

TEST(TcpProbe, BindtoAnAddressNotHereFailsAsBindFailed) {
  TcpFake server({Act::Hang()});
  Check c(model::CheckerKind::kTcp);
  auto spec = c.Spec(server.address(), server.port(), kTimeout);
  boost::asio::io_context io;
  spec.target.bindto = *base::IpAddress::Parse("203.0.113.77");
  std::string err;
  auto probe = daemon::MakeProbe(io, spec, &err);
  ASSERT_TRUE(probe) << err;
  Outcome o = RunProbe(io, *probe);
  EXPECT_EQ(o.reports, 1);
  EXPECT_EQ(o.result.failure, "bind-failed");
}

TEST(TcpProbe, BindPortIsTheSourcePort) {
  TcpFake server({Act::Hang()});
  Check c(model::CheckerKind::kTcp);
  auto spec = c.Spec(server.address(), server.port(), kTimeout);
  int port = UnusedPort(Family::kV4, SOCK_STREAM);
  spec.target.bind_port = port;
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, spec, &err);
  ASSERT_TRUE(probe) << err;
  for (int run = 0; run < 2; ++run) {  // the kept socket keeps its port
    Outcome o = RunProbe(io, *probe);
    EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  }
  ASSERT_TRUE(server.WaitFinished(2, Ms(2000)));
  EXPECT_EQ(server.peer_ports(), (std::vector<int>{port, port}));
}

TEST(TcpProbe, EachPassedCheckIsResetAndTheSocketReused) {
  TcpFake server({Act::Hang()});
  Check c(model::CheckerKind::kTcp);
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, c.Spec(server.address(), server.port(), kTimeout), &err);
  ASSERT_TRUE(probe) << err;
  for (int run = 0; run < 3; ++run) {
    Outcome o = RunProbe(io, *probe);
    EXPECT_TRUE(o.result.ok) << o.result.failure;
    ASSERT_TRUE(o.result.took) << "a local connect's duration is measured";
    EXPECT_LT(*o.result.took, std::chrono::microseconds(kTimeout));
  }
  // The fake's reads end when each connection does: three connections, all ended by the
  // probe (a reset), none left open.
  EXPECT_TRUE(server.WaitFinished(3, Ms(2000)));
  EXPECT_EQ(server.accepted(), 3);
}

TEST(TcpProbe, DestroyedMidConnectReportsNothing) {
  Check c(model::CheckerKind::kTcp);
  DestroyMidCheck(c, kTestV4, BlackholePort(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
