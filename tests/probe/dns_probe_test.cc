// DNS_CHECK against misbehaving servers (CONFORMANCE-AND-FAULTS.md §3.3, the DNS row):
// truncated datagrams, wrong ids, TC, RCODE != 0, compression loops, bad lengths, and a
// port that answers with ICMP or not at all.
#include <gtest/gtest.h>

#include <string>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

Check DnsCheck(const std::string& type = "", const std::string& name = "") {
  Check c(model::CheckerKind::kDns);
  c.details().dns_type = type;
  c.details().dns_name = name;
  return c;
}

// The request turned into a reply: QR and RA set, RCODE `rcode`, plus `answers` appended
// (ANCOUNT says `ancount`).
std::string Reply(std::string_view req, int rcode = 0, const std::string& answers = "",
                  int ancount = 0) {
  std::string r(req);
  if (r.size() < 12) return r;
  r[2] = static_cast<char>(r[2] | 0x80);
  r[3] = static_cast<char>(0x80 | (rcode & 0x0f));
  r[6] = static_cast<char>(ancount >> 8);
  r[7] = static_cast<char>(ancount & 0xff);
  return r + answers;
}

// An A record for the question's name (a pointer to offset 12).
std::string ARecord() {
  return std::string("\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01", 16);
}

Outcome Exchange(const Check& c, UdpFake::Handler h, Family f = Family::kV4) {
  UdpFake server(std::move(h), f);
  return RunCheck(c, server.address(), server.port(), kTimeout);
}

TEST(DnsProbe, DefaultQueryIsSoaForTheRootAndAnswerPasses) {
  UdpFake server([](std::string_view req) { return std::vector<std::string>{Reply(req)}; });
  Outcome o = RunCheck(DnsCheck(), server.address(), server.port(), kTimeout);
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string q = server.requests()[0];
  // header, the root name (one zero byte), type SOA (6), class IN (1)
  ASSERT_EQ(q.size(), 12u + 1 + 4);
  EXPECT_EQ(q.substr(12), std::string("\x00\x00\x06\x00\x01", 5));
  EXPECT_EQ(q[2] & 0x01, 0x01) << "RD set";
}

TEST(DnsProbe, TypeAndNameAreAskedV6) {
  UdpFake server(
      [](std::string_view req) { return std::vector<std::string>{Reply(req, 0, ARecord(), 1)}; },
      Family::kV6);
  Outcome o = RunCheck(DnsCheck("A", "www.vigil.test"), server.address(), server.port(), kTimeout);
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].substr(12),
            std::string("\x03www\x05vigil\x04test\x00\x00\x01\x00\x01", 20));
}

TEST(DnsProbe, RcodeFails) {
  Outcome o = Exchange(
      DnsCheck(), [](std::string_view req) { return std::vector<std::string>{Reply(req, 3)}; });
  EXPECT_EQ(o.result.failure, "dns-rcode");
  EXPECT_NE(o.result.detail.find("NXDOMAIN"), std::string::npos) << o.result.detail;
}

TEST(DnsProbe, TruncatedFlagFails) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    std::string r = Reply(req);
    r[2] = static_cast<char>(r[2] | 0x02);
    return std::vector<std::string>{r};
  });
  EXPECT_EQ(o.result.failure, "dns-truncated");
}

TEST(DnsProbe, WrongIdIsIgnoredThenNamedAtTheDeadline) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    std::string r = Reply(req);
    r[0] = static_cast<char>(r[0] ^ 0x55);
    return std::vector<std::string>{r};
  });
  EXPECT_EQ(o.result.failure, "dns-wrong-id");
  EXPECT_GE(o.elapsed, kTimeout - Ms(20));
}

TEST(DnsProbe, StrayDatagramsBeforeTheGoodReplyAreIgnored) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    std::string wrong = Reply(req);
    wrong[1] = static_cast<char>(wrong[1] ^ 0x01);
    return std::vector<std::string>{"abc", wrong, std::string(req), Reply(req)};
  });
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
}

TEST(DnsProbe, ShortDatagramIsNamedAtTheDeadline) {
  Outcome o =
      Exchange(DnsCheck(), [](std::string_view) { return std::vector<std::string>{"\x01"}; });
  EXPECT_EQ(o.result.failure, "dns-short");
}

TEST(DnsProbe, CompressionLoopFailsWithoutLooping) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    // An answer whose name points at itself.
    size_t at = req.size();
    std::string self;
    self.push_back(static_cast<char>(0xc0 | (at >> 8)));
    self.push_back(static_cast<char>(at & 0xff));
    std::string rr =
        self + std::string("\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01", 14);
    return std::vector<std::string>{Reply(req, 0, rr, 1)};
  });
  EXPECT_EQ(o.result.failure, "dns-bad-pointer");
  EXPECT_LT(o.elapsed, kTimeout);
}

TEST(DnsProbe, CountsBeyondTheMessageFail) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    return std::vector<std::string>{Reply(req, 0, "", 5)};
  });
  EXPECT_EQ(o.result.failure, "dns-bad-length");
}

TEST(DnsProbe, RdlengthBeyondTheMessageFails) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    std::string rr = ARecord();
    rr[10] = '\x7f';  // rdlength 0x7f04
    return std::vector<std::string>{Reply(req, 0, rr, 1)};
  });
  EXPECT_EQ(o.result.failure, "dns-bad-length");
}

TEST(DnsProbe, AnotherQuestionFails) {
  Outcome o = Exchange(DnsCheck("A", "www.vigil.test"), [](std::string_view req) {
    std::string r = Reply(req);
    r[13] = 'X';
    return std::vector<std::string>{r};
  });
  EXPECT_EQ(o.result.failure, "dns-question-mismatch");
}

TEST(DnsProbe, HugeDatagramIsCut) {
  Outcome o = Exchange(DnsCheck(), [](std::string_view req) {
    // 2000 empty records of 11 bytes each: more than the 4 KiB the probe keeps.
    return std::vector<std::string>{Reply(req, 0, std::string(20000, '\0'), 2000)};
  });
  EXPECT_EQ(o.result.failure, "dns-bad-length");
}

TEST(DnsProbe, PortUnreachableFailsAtOnce) {
  Outcome o = RunCheck(DnsCheck(), kTestV4, UnusedPort(Family::kV4, SOCK_DGRAM), kTimeout);
  EXPECT_EQ(o.result.failure, "dns-port-unreachable");
  EXPECT_LT(o.elapsed, kTimeout);
}

TEST(DnsProbe, NoReplyTimesOut) {
  Outcome o = RunCheck(DnsCheck(), kTestV4, BlackholePort(), kTimeout);
  EXPECT_EQ(o.result.failure, "dns-timeout");
  EXPECT_GE(o.elapsed, kTimeout - Ms(20));
}

TEST(DnsProbe, UnknownTypeIsAConfigError) {
  Check c = DnsCheck("HINFO");
  boost::asio::io_context io;
  std::string err;
  EXPECT_FALSE(daemon::MakeProbe(io, c.Spec(kTestV4, 53, kTimeout), &err));
  EXPECT_NE(err.find("HINFO"), std::string::npos) << err;
}

TEST(DnsProbe, DestroyedMidQueryReportsNothing) {
  DestroyMidCheck(DnsCheck(), kTestV4, BlackholePort(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
