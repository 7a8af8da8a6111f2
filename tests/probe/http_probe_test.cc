// HTTP_GET against misbehaving servers (CONFORMANCE-AND-FAULTS.md §3.3): hangs and trickles
// meet one deadline for the whole check, garbage and odd status lines fail by name, huge and
// chunked bodies are streamed with bounded reads, a regex finds matches that straddle reads.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "check/http_verdict.h"
#include "http_fake.h"
#include "probe_harness.h"

namespace vigil::fake {
namespace {

constexpr Ms kTimeout{800};

Check HttpCheck(const std::string& digest = "", const std::string& regex = "") {
  Check c(model::CheckerKind::kHttp);
  model::UrlConf u;
  u.path = "/health";
  u.digest = digest;
  u.regex = regex;
  c.details().urls.push_back(u);
  return c;
}

Outcome Serve(const Check& c, std::vector<Act> script, Family f = Family::kV4) {
  TcpFake server(std::move(script), f);
  return RunCheck(c, server.address(), server.port(), kTimeout);
}

void ExpectAtDeadline(const Outcome& o) {
  EXPECT_GE(o.elapsed, kTimeout - Ms(20));
  EXPECT_LT(o.elapsed, kTimeout + Ms(1500));
}

TEST(HttpProbe, PassesOn200V4AndV6AndSendsKeepalivedsRequest) {
  for (Family f : {Family::kV4, Family::kV6}) {
    TcpFake server({Act::ReadLine(), ReadRequest(), Act::Send(Answer("HTTP/1.0 200 OK", "up"))}, f);
    Outcome o = RunCheck(HttpCheck(), server.address(), server.port(), kTimeout);
    EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
    ASSERT_TRUE(server.WaitFinished(1, Ms(2000)));
    EXPECT_EQ(server.received().at(0), "GET /health HTTP/1.0\r\n");
  }
}

TEST(HttpProbe, StatusOutsideTheListFails) {
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Send(Answer("HTTP/1.0 503 Busy", ""))});
  EXPECT_EQ(o.result.failure, "http-status-code");
}

TEST(HttpProbe, AcceptThenImmediateCloseFails) {
  // The request reaches a closed socket, whose RST may come before the FIN is read.
  Outcome o = Serve(HttpCheck(), {Act::Close()});
  EXPECT_TRUE(o.result.failure == "http-empty" || o.result.failure == "http-read-reset")
      << o.result.failure;
}

TEST(HttpProbe, CloseAfterReadingTheRequestIsEmpty) {
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Close()});
  EXPECT_EQ(o.result.failure, "http-empty");
}

TEST(HttpProbe, ResetAfterTheRequestIsNamed) {
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Reset()});
  EXPECT_EQ(o.result.failure, "http-read-reset");
}

TEST(HttpProbe, UnansweredSynIsConnectTimeout) {
  Outcome o = RunCheck(HttpCheck(), kTestV4, BlackholePort(), kTimeout);
  EXPECT_EQ(o.result.failure, "connect-timeout");
  ExpectAtDeadline(o);
}

TEST(HttpProbe, HangAfterAcceptFailsAtTheDeadline) {
  Outcome o = Serve(HttpCheck(), {Act::Hang()});
  EXPECT_EQ(o.result.failure, "http-timeout");
  ExpectAtDeadline(o);
}

TEST(HttpProbe, SlowTrickleMeetsTheOverallDeadlineNotAPerReadOne) {
  // A byte every 50 ms: every read succeeds well within any per-read timeout, and the whole
  // answer would take about 2.5 s.
  std::string answer = Answer("HTTP/1.0 200 OK", std::string(16, 'x'));
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Trickle(answer, Ms(50))});
  EXPECT_EQ(o.result.failure, "http-timeout");
  ExpectAtDeadline(o);
}

TEST(HttpProbe, GarbageIsABadResponse) {
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Garbage(4096)});
  EXPECT_EQ(o.result.failure, "http-bad-response") << o.result.detail;
}

TEST(HttpProbe, OddStatusLinesFailWithoutOverflow) {
  const char* lines[] = {
      "HTTP/1.0 99999999999999999999999 OK",  // overflows any integer
      "HTTP/1.0 -200 OK",
      "HTTP/1.0 2000 OK",  // four digits
      "HTTP/1.0 20 OK",
      "HTTP/1.0 OK",
      "200 OK",
      "HTTP/9.9.9 200 OK",
  };
  for (const char* line : lines) {
    Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Send(Answer(line, "x"))});
    EXPECT_EQ(o.result.failure, "http-bad-response") << line;
  }
}

TEST(HttpProbe, StatusNotOnTheFirstLineFails) {
  Outcome o = Serve(HttpCheck(),
                    {ReadRequest(), Act::Send("Server: odd\r\n" + Answer("HTTP/1.0 200 OK", "x"))});
  EXPECT_EQ(o.result.failure, "http-bad-response");
}

TEST(HttpProbe, HugeHeaderIsCapped) {
  std::string answer = "HTTP/1.0 200 OK\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
  Outcome o = Serve(HttpCheck(), {ReadRequest(), Act::Send(answer)});
  EXPECT_EQ(o.result.failure, "http-bad-response") << o.result.detail;
}

// A body of `total` bytes announced by Content-Length, written until the probe hangs up;
// *sent counts what went out.
Act EndlessBody(uint64_t total, std::shared_ptr<std::atomic<uint64_t>> sent) {
  return Act::Call([total, sent](int fd) {
    std::string head = "HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n";
    ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    std::string chunk(1 << 16, 'z');
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (*sent < total) {
      ssize_t n = ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      *sent += static_cast<uint64_t>(n);
    }
  });
}

TEST(HttpProbe, HugeBodyWithoutADigestIsNotRead) {
  auto sent = std::make_shared<std::atomic<uint64_t>>(0);
  Outcome o = Serve(HttpCheck(), {ReadRequest(), EndlessBody(uint64_t{8} << 30, sent)});
  EXPECT_TRUE(o.result.ok) << o.result.failure << " " << o.result.detail;
  EXPECT_LT(sent->load(), uint64_t{64} << 20);
}

TEST(HttpProbe, HugeBodyWithADigestStopsAtTheCap) {
  auto sent = std::make_shared<std::atomic<uint64_t>>(0);
  Check c = HttpCheck("0123456789abcdef0123456789abcdef");
  model::Duration long_enough = std::chrono::seconds(10);
  TcpFake server({ReadRequest(), EndlessBody(uint64_t{8} << 30, sent)});
  boost::asio::io_context io;
  auto spec = c.Spec(server.address(), server.port(), kTimeout);
  spec.target.timeout = std::chrono::duration_cast<daemon::ProbeDuration>(long_enough);
  std::string err;
  auto probe = daemon::MakeProbe(io, spec, &err);
  ASSERT_TRUE(probe) << err;
  Outcome o = RunProbe(io, *probe);
  EXPECT_EQ(o.reports, 1);
  EXPECT_EQ(o.result.failure, "http-too-large") << o.result.detail;
  // What the server got out is what the probe read (64 MiB) plus the sockets' buffers.
  EXPECT_LT(sent->load(), uint64_t{80} << 20);
}

TEST(HttpProbe, ChunkedBodyIsDigestedDecoded) {
  std::string body = "hello, chunked world";
  std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "7\r\nhello, \r\n"
      "d\r\nchunked world\r\n"
      "0\r\n\r\n";
  Outcome good = Serve(HttpCheck(check::Md5Hex(body)), {ReadRequest(), Act::Send(chunked)});
  EXPECT_TRUE(good.result.ok) << good.result.failure << " " << good.result.detail;
  Outcome bad = Serve(HttpCheck(check::Md5Hex("other")), {ReadRequest(), Act::Send(chunked)});
  EXPECT_EQ(bad.result.failure, "http-digest");
}

TEST(HttpProbe, BadChunkSizeIsABadResponse) {
  std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffffff\r\nx\r\n";
  Outcome o = Serve(HttpCheck(check::Md5Hex("x")), {ReadRequest(), Act::Send(chunked)});
  EXPECT_EQ(o.result.failure, "http-bad-response") << o.result.detail;
}

TEST(HttpProbe, BodyWithoutContentLengthEndsAtClose) {
  std::string body(100000, 'q');
  std::string answer = "HTTP/1.0 200 OK\r\n\r\n" + body;
  Outcome good = Serve(HttpCheck(check::Md5Hex(body)), {ReadRequest(), Act::Send(answer)});
  EXPECT_TRUE(good.result.ok) << good.result.failure << " " << good.result.detail;
}

TEST(HttpProbe, BodyCutShortFailsTheDigest) {
  std::string answer = "HTTP/1.0 200 OK\r\nContent-Length: 1000\r\n\r\nonly this";
  Outcome o = Serve(HttpCheck(check::Md5Hex("only this")), {ReadRequest(), Act::Send(answer)});
  EXPECT_FALSE(o.result.ok);
  EXPECT_EQ(o.result.failure, "http-bad-response") << o.result.detail;
}

TEST(HttpProbe, RegexMatchAcrossReadsIsFound) {
  // The probe reads 16 KiB at a time; the needle straddles the first read's end, and the
  // server pauses between its halves so that the two halves arrive in different reads.
  std::string body(40000, '.');
  body.replace(16380, 6, "NEEDLE");
  std::string head = "HTTP/1.0 200 OK\r\nContent-Length: 40000\r\n\r\n";
  std::string all = head + body;
  size_t split = head.size() + 16383;
  auto script = [&] {
    return std::vector<Act>{ReadRequest(), Act::Send(all.substr(0, split)), Act::Sleep(Ms(100)),
                            Act::Send(all.substr(split))};
  };
  Outcome found = Serve(HttpCheck("", "NEE+DLE"), script());
  EXPECT_TRUE(found.result.ok) << found.result.failure << " " << found.result.detail;
  Check no_match = HttpCheck("", "NEE+DLE");
  no_match.details().urls[0].regex_no_match = true;
  Outcome refused = Serve(no_match, script());
  EXPECT_EQ(refused.result.failure, "http-regex-found");
}

TEST(HttpProbe, RegexOutsideItsWindowIsNotFound) {
  std::string body(8000, '.');
  body.replace(7000, 6, "NEEDLE");
  Check c = HttpCheck("", "NEEDLE");
  c.details().urls[0].regex_max_offset = 1000;
  Outcome o = Serve(c, {ReadRequest(), Act::Send(Answer("HTTP/1.0 200 OK", body))});
  EXPECT_EQ(o.result.failure, "http-regex-not-found");
}

TEST(HttpProbe, EveryUrlIsChecked) {
  Check c = HttpCheck();
  model::UrlConf second;
  second.path = "/second";
  second.status_codes.push_back({404, 404});
  c.details().urls.push_back(second);
  TcpFake server({Act::ReadLine(), ReadRequest(), Act::Send(Answer("HTTP/1.0 200 OK", "a"))});
  Outcome o = RunCheck(c, server.address(), server.port(), kTimeout);
  EXPECT_EQ(o.result.failure, "http-status-code") << "the second url wants 404";
  ASSERT_TRUE(server.WaitFinished(2, Ms(2000)));
  EXPECT_EQ(server.received().at(1), "GET /second HTTP/1.0\r\n");
}

TEST(HttpProbe, RecoveringWithoutFastRecoveryChecksOneUrlPerRun) {
  Check c = HttpCheck();
  model::UrlConf second;
  second.path = "/second";
  c.details().urls.push_back(second);
  TcpFake server({Act::ReadLine(), ReadRequest(), Act::Send(Answer("HTTP/1.0 200 OK", "a"))});
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, c.Spec(server.address(), server.port(), kTimeout), &err);
  ASSERT_TRUE(probe) << err;
  probe->SetRecovering(true);
  Outcome first = RunProbe(io, *probe);
  EXPECT_TRUE(first.result.ok && first.result.partial) << first.result.failure;
  ASSERT_TRUE(server.WaitFinished(1, Ms(2000)));
  EXPECT_EQ(server.accepted(), 1) << "one url per run";
  Outcome last = RunProbe(io, *probe);
  EXPECT_TRUE(last.result.ok && !last.result.partial) << last.result.failure;
  ASSERT_TRUE(server.WaitFinished(2, Ms(2000)));
  EXPECT_EQ(server.received().at(1), "GET /second HTTP/1.0\r\n");
  // Up again: every url in one run.
  probe->SetRecovering(false);
  Outcome up = RunProbe(io, *probe);
  EXPECT_TRUE(up.result.ok && !up.result.partial);
  ASSERT_TRUE(server.WaitFinished(4, Ms(2000)));
}

TEST(HttpProbe, RecoveringWithFastRecoveryChecksEveryUrl) {
  Check c = HttpCheck();
  model::UrlConf second;
  second.path = "/second";
  c.details().urls.push_back(second);
  c.details().fast_recovery = true;
  TcpFake server({Act::ReadLine(), ReadRequest(), Act::Send(Answer("HTTP/1.0 200 OK", "a"))});
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, c.Spec(server.address(), server.port(), kTimeout), &err);
  ASSERT_TRUE(probe) << err;
  probe->SetRecovering(true);
  Outcome o = RunProbe(io, *probe);
  EXPECT_TRUE(o.result.ok && !o.result.partial) << o.result.failure;
  EXPECT_TRUE(server.WaitFinished(2, Ms(2000)));
}

TEST(HttpProbe, DestroyedMidReadReportsNothing) {
  TcpFake server({Act::Hang()});
  DestroyMidCheck(HttpCheck(), server.address(), server.port(), kTimeout);
}

}  // namespace
}  // namespace vigil::fake
