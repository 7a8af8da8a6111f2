// UDP_CHECK (CONFORMANCE-AND-FAULTS.md §3.3, the UDP row): ICMP port unreachable, no reply,
// replies too short, too long or not matching, with and without require_reply.
#include <gtest/gtest.h>

#include <string>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

Check UdpCheck(const std::string& payload = "", std::optional<std::string> require = {},
               std::optional<int> min = {}, std::optional<int> max = {}) {
  Check c(model::CheckerKind::kUdp);
  c.details().payload = payload;
  c.details().require_reply = require;
  c.details().min_reply_length = min;
  c.details().max_reply_length = max;
  return c;
}

UdpFake::Handler Answer(std::string reply) {
  return [reply](std::string_view) { return std::vector<std::string>{reply}; };
}

Outcome Exchange(const Check& c, UdpFake::Handler h, Family f = Family::kV4) {
  UdpFake server(std::move(h), f);
  return RunCheck(c, server.address(), server.port(), kTimeout);
}

TEST(UdpProbe, PayloadIsSentAndAnyReplyPassesWithoutRequireReply) {
  for (Family f : {Family::kV4, Family::kV6}) {
    UdpFake server(Answer("pong"), f);
    Outcome o = RunCheck(UdpCheck("70696e67"), server.address(), server.port(), kTimeout);
    EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
    ASSERT_EQ(server.requests().size(), 1u);
    EXPECT_EQ(server.requests()[0], "ping");
  }
}

TEST(UdpProbe, WithoutPayloadSends32RandomBytes) {
  UdpFake server(Answer("x"));
  EXPECT_TRUE(RunCheck(UdpCheck(), server.address(), server.port(), kTimeout).result.ok);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].size(), 32u);
}

TEST(UdpProbe, NoReplyPassesWithoutRequireReply) {
  // keepalived: without require_reply only an ICMP error fails the check.
  Outcome o = Exchange(UdpCheck(), [](std::string_view) { return std::vector<std::string>{}; });
  EXPECT_TRUE(o.result.ok) << o.result.failure;
  EXPECT_GE(o.elapsed, kTimeout - Ms(20));
}

TEST(UdpProbe, NoReplyFailsWithRequireReply) {
  Outcome o = Exchange(UdpCheck("", "706f6e67"),
                       [](std::string_view) { return std::vector<std::string>{}; });
  EXPECT_EQ(o.result.failure, "udp-no-reply");
}

TEST(UdpProbe, PortUnreachableFailsAtOnce) {
  for (Family f : {Family::kV4, Family::kV6}) {
    Outcome o = RunCheck(UdpCheck(), Address(f), UnusedPort(f, SOCK_DGRAM), kTimeout);
    EXPECT_EQ(o.result.failure, "udp-port-unreachable");
    EXPECT_LT(o.elapsed, kTimeout);
  }
}

TEST(UdpProbe, BlackholeTimesOutOnlyWithRequireReply) {
  EXPECT_TRUE(RunCheck(UdpCheck(), kTestV4, BlackholePort(), kTimeout).result.ok);
  EXPECT_EQ(RunCheck(UdpCheck("", "00"), kTestV4, BlackholePort(), kTimeout).result.failure,
            "udp-no-reply");
}

TEST(UdpProbe, RequiredReplyMatchesWithWildcards) {
  EXPECT_TRUE(Exchange(UdpCheck("", "706fXX67"), Answer("pong")).result.ok);
  EXPECT_EQ(Exchange(UdpCheck("", "706f6e67"), Answer("pang")).result.failure,
            "udp-reply-mismatch");
}

TEST(UdpProbe, ReplyLengthsAreChecked) {
  EXPECT_EQ(Exchange(UdpCheck("", "70", 4), Answer("pon")).result.failure, "udp-reply-short");
  EXPECT_EQ(Exchange(UdpCheck("", "70", 0, 8), Answer("pong pong")).result.failure,
            "udp-reply-long");
  // The default max_reply_length is 255.
  EXPECT_EQ(Exchange(UdpCheck("", "70"), Answer("p" + std::string(300, 'x'))).result.failure,
            "udp-reply-long");
  EXPECT_TRUE(Exchange(UdpCheck("", "70", 2, 8), Answer("pong")).result.ok);
}

TEST(UdpProbe, HugeReplyIsCutNotBuffered) {
  EXPECT_EQ(Exchange(UdpCheck("", "41"), Answer(std::string(60000, 'A'))).result.failure,
            "udp-reply-long");
}

TEST(UdpProbe, BadHexIsAConfigError) {
  boost::asio::io_context io;
  std::string err;
  Check c = UdpCheck("zz");
  EXPECT_FALSE(daemon::MakeProbe(io, c.Spec(kTestV4, 9999, kTimeout), &err));
  EXPECT_NE(err.find("zz"), std::string::npos) << err;
}

TEST(UdpProbe, DestroyedWhileWaitingReportsNothing) {
  DestroyMidCheck(UdpCheck("", "00"), kTestV4, BlackholePort(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
