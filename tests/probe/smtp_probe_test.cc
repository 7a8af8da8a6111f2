// SMTP_CHECK against misbehaving servers (CONFORMANCE-AND-FAULTS.md §3.3, the SMTP row):
// multi-line banners, 4xx/5xx replies, slow banners, garbage and endless lines.
#include <gtest/gtest.h>

#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

Check SmtpCheck(const std::string& helo = "") {
  Check c(model::CheckerKind::kSmtp);
  c.details().helo_name = helo.empty() ? "smtpchecker.keepalived.org" : helo;
  return c;
}

Outcome Serve(const Check& c, std::vector<Act> script, Family f = Family::kV4) {
  TcpFake server(std::move(script), f);
  return RunCheck(c, server.address(), server.port(), kTimeout);
}

TEST(SmtpProbe, FullDialoguePassesV4AndV6) {
  for (Family f : {Family::kV4, Family::kV6}) {
    TcpFake server({Act::Send("220 mx.vigil.test ESMTP\r\n"), Act::ReadLine(),
                    Act::Send("250 hello\r\n"), Act::ReadLine(), Act::Send("221 bye\r\n")},
                   f);
    Outcome o = RunCheck(SmtpCheck("probe.vigil.test"), server.address(), server.port(), kTimeout);
    EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
    ASSERT_TRUE(server.WaitFinished(1, Ms(2000)));
    EXPECT_EQ(server.received().at(0), "HELO probe.vigil.test\r\nQUIT\r\n");
  }
}

TEST(SmtpProbe, MultiLineBannerPasses) {
  Outcome o = Serve(SmtpCheck(),
                    {Act::Send("220-mx.vigil.test first\r\n220-second\r\n"), Act::Sleep(Ms(50)),
                     Act::Send("220 last\r\n"), Act::ReadLine(), Act::Send("250-a\r\n250 b\r\n"),
                     Act::ReadLine(), Act::Send("221 bye\r\n")});
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
}

TEST(SmtpProbe, TransientBannerFails) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("421 too busy\r\n"), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-banner-4xx");
}

TEST(SmtpProbe, PermanentHeloRefusalFails) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("220 ok\r\n"), Act::ReadLine(),
                                  Act::Send("554 go away\r\n"), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-helo-5xx");
}

TEST(SmtpProbe, SlowBannerTimesOut) {
  Outcome o = Serve(SmtpCheck(), {Act::Sleep(Ms(3000)), Act::Send("220 late\r\n"), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-banner-timeout");
  EXPECT_LT(o.elapsed, kTimeout + Ms(1500));
}

TEST(SmtpProbe, TrickledBannerMeetsTheOverallDeadline) {
  Outcome o = Serve(
      SmtpCheck(), {Act::Trickle("220 a banner that takes far too long\r\n", Ms(50)), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-banner-timeout");
  EXPECT_LT(o.elapsed, kTimeout + Ms(1500));
}

TEST(SmtpProbe, SilentAfterHeloNamesTheHeloPhase) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("220 ok\r\n"), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-helo-timeout");
}

TEST(SmtpProbe, CloseAfterBannerNamesTheHeloPhase) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("220 ok\r\n"), Act::ReadLine(), Act::Close()});
  EXPECT_EQ(o.result.failure, "smtp-helo-closed");
}

TEST(SmtpProbe, GarbageIsABadReply) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("HTTP/1.1 400 Bad Request\r\n"), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-bad-reply");
}

TEST(SmtpProbe, EndlessLineIsCapped) {
  Outcome o = Serve(SmtpCheck(), {Act::Send("220 " + std::string(100000, 'x')), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-line-too-long");
}

TEST(SmtpProbe, EndlessContinuationIsCapped) {
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "220-more and more\r\n";
  Outcome o = Serve(SmtpCheck(), {Act::Send(lines), Act::Hang()});
  EXPECT_EQ(o.result.failure, "smtp-too-long");
}

TEST(SmtpProbe, RefusedConnection) {
  Outcome o = RunCheck(SmtpCheck(), kTestV4, UnusedPort(Family::kV4, SOCK_STREAM), kTimeout);
  EXPECT_EQ(o.result.failure, "connect-refused");
}

TEST(SmtpProbe, EveryHostBlockIsChecked) {
  TcpFake good({Act::Send("220 ok\r\n"), Act::ReadLine(), Act::Send("250 ok\r\n"), Act::ReadLine(),
                Act::Send("221 bye\r\n")});
  TcpFake bad({Act::Send("421 no\r\n"), Act::Hang()});
  Check c = SmtpCheck();
  model::CheckCommon h1, h2;
  h1.connect_ip = *base::IpAddress::Parse(kTestV4);
  h1.connect_port = good.port();
  h2.connect_ip = *base::IpAddress::Parse(kTestV4);
  h2.connect_port = bad.port();
  c.details().smtp_hosts = {h1, h2};
  Outcome o = RunCheck(c, kTestV4, 25, kTimeout);
  EXPECT_EQ(o.result.failure, "smtp-banner-4xx");
  EXPECT_NE(o.result.detail.find(std::to_string(bad.port())), std::string::npos) << o.result.detail;
  c.details().smtp_hosts = {h1};
  EXPECT_TRUE(RunCheck(c, kTestV4, 25, kTimeout).result.ok);
}

TEST(SmtpProbe, DestroyedMidDialogueReportsNothing) {
  TcpFake server({Act::Send("220 ok\r\n"), Act::Hang()});
  DestroyMidCheck(SmtpCheck(), server.address(), server.port(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
