// PING_CHECK's echo request and the matching of what an ICMP socket receives
// (check/icmp_echo.h).
#include <gtest/gtest.h>

#include "base/checksum.h"
#include "check/icmp_echo.h"

namespace vigil::check::icmp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Reply(bool v6, uint16_t id, uint16_t seq) {
  Bytes p = BuildEcho(v6, id, seq, Bytes{1, 2, 3});
  p[0] = v6 ? 129 : 0;
  return p;
}

Bytes Ip4Header(uint8_t protocol) {
  Bytes h(20, 0);
  h[0] = 0x45;
  h[9] = protocol;
  return h;
}

Bytes Cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

Match Kind(const Bytes& p, const Expect& e) {
  std::string detail;
  return Classify(p, e, &detail);
}

TEST(IcmpEcho, Ipv4RequestHasAValidChecksum) {
  Bytes p = BuildEcho(false, 0x1234, 7, Bytes{0xaa, 0xbb, 0xcc});
  ASSERT_EQ(p.size(), 11u);
  EXPECT_EQ(p[0], 8);
  EXPECT_EQ(p[4], 0x12);
  EXPECT_EQ(p[5], 0x34);
  EXPECT_EQ(p[7], 7);
  base::InetChecksum sum;
  sum.Add(p);
  EXPECT_EQ(sum.Finish(), 0);  // a packet with its checksum sums to all ones
}

TEST(IcmpEcho, Ipv6RequestLeavesTheChecksumToTheKernel) {
  Bytes p = BuildEcho(true, 1, 2, {});
  EXPECT_EQ(p, (Bytes{128, 0, 0, 0, 0, 1, 0, 2}));
}

TEST(IcmpEcho, MatchesIdAndSequenceOnRawSockets) {
  Expect e{false, false, true, 0x1234, 7};
  EXPECT_EQ(Kind(Reply(false, 0x1234, 7), e), Match::kReply);
  EXPECT_EQ(Kind(Reply(false, 0x1234, 8), e), Match::kIgnore);
  EXPECT_EQ(Kind(Reply(false, 0x1235, 7), e), Match::kIgnore);
  EXPECT_EQ(Kind(BuildEcho(false, 0x1234, 7, {}), e), Match::kIgnore);  // our own request
}

TEST(IcmpEcho, DatagramSocketsMatchTheSequenceOnly) {
  Expect e{false, false, false, 0, 7};
  EXPECT_EQ(Kind(Reply(false, 0x9999, 7), e), Match::kReply);
  EXPECT_EQ(Kind(Reply(false, 0x9999, 6), e), Match::kIgnore);
}

TEST(IcmpEcho, RawIpv4SkipsTheIpHeader) {
  Expect e{false, true, true, 5, 9};
  EXPECT_EQ(Kind(Cat(Ip4Header(1), Reply(false, 5, 9)), e), Match::kReply);
  Bytes options = Ip4Header(1);
  options[0] = 0x46;  // 24-byte header
  options.insert(options.end(), 4, 1);
  EXPECT_EQ(Kind(Cat(options, Reply(false, 5, 9)), e), Match::kReply);
  EXPECT_EQ(Kind(Bytes{0x45, 0}, e), Match::kIgnore);                // short
  EXPECT_EQ(Kind(Cat(Ip4Header(1), {0, 0, 0}), e), Match::kIgnore);  // short ICMP
  Bytes bad_ihl = Cat(Ip4Header(1), Reply(false, 5, 9));
  bad_ihl[0] = 0x4f;  // 60 bytes claimed
  EXPECT_EQ(Kind(Bytes(bad_ihl.begin(), bad_ihl.begin() + 30), e), Match::kIgnore);
}

TEST(IcmpEcho, ErrorsQuotingOurRequest) {
  Expect e{false, false, true, 5, 9};
  Bytes quoted = Cat(Ip4Header(1), BuildEcho(false, 5, 9, {}));
  Bytes unreach = Cat(Bytes{3, 1, 0, 0, 0, 0, 0, 0}, quoted);
  std::string detail;
  EXPECT_EQ(Classify(unreach, e, &detail), Match::kUnreachable);
  EXPECT_EQ(detail, "ICMP type 3 code 1");
  Bytes exceeded = Cat(Bytes{11, 0, 0, 0, 0, 0, 0, 0}, quoted);
  EXPECT_EQ(Kind(exceeded, e), Match::kTimeExceeded);
  Bytes other = Cat(Bytes{3, 1, 0, 0, 0, 0, 0, 0}, Cat(Ip4Header(1), BuildEcho(false, 5, 10, {})));
  EXPECT_EQ(Kind(other, e), Match::kIgnore);
  Bytes udp = Cat(Bytes{3, 3, 0, 0, 0, 0, 0, 0}, Cat(Ip4Header(17), Bytes(8, 0)));
  EXPECT_EQ(Kind(udp, e), Match::kIgnore);
  EXPECT_EQ(Kind(Bytes{3, 1, 0, 0, 0, 0, 0, 0, 0x45}, e), Match::kIgnore);  // cut quote
}

TEST(IcmpEcho, Ipv6RepliesAndErrors) {
  Expect e{true, false, true, 5, 9};
  EXPECT_EQ(Kind(Reply(true, 5, 9), e), Match::kReply);
  EXPECT_EQ(Kind(Reply(false, 5, 9), e), Match::kIgnore);  // an ICMPv4 type 0 means nothing
  Bytes ip6(40, 0);
  ip6[0] = 0x60;
  ip6[6] = 58;
  Bytes unreach = Cat(Bytes{1, 4, 0, 0, 0, 0, 0, 0}, Cat(ip6, BuildEcho(true, 5, 9, {})));
  EXPECT_EQ(Kind(unreach, e), Match::kUnreachable);
  Bytes exceeded = Cat(Bytes{3, 0, 0, 0, 0, 0, 0, 0}, Cat(ip6, BuildEcho(true, 5, 9, {})));
  EXPECT_EQ(Kind(exceeded, e), Match::kTimeExceeded);
}

}  // namespace
}  // namespace vigil::check::icmp
