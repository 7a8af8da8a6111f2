// Running one probe in a test (probe_tests): a checker configuration aimed at a test address,
// and a run of the event loop that counts the reports, times the first, and waits for the
// loop to run out of work (so a second report, or a handler left behind, would show).
// Elapsed times are asserted only as the deadline's meaning: never a report before it, and a
// failure that must not wait for it (a RST) reported before it; the bounds after it are
// generous, since a loaded CI machine may be slow (speed is the benchmarks' business).
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "daemon/probe.h"
#include "fake_server.h"

namespace vigil::fake {

// Owns what a ProbeSpec points to.
struct Check {
  model::CheckerConf checker;
  model::RealServerConf rs;
  model::VirtualServerConf vs;
  model::Config config;

  explicit Check(model::CheckerKind kind) { checker.kind = kind; }
  model::CheckerDetails& details() { return checker.details.mut(); }

  daemon::ProbeSpec Spec(const char* address, int port, Ms timeout) const {
    daemon::ProbeSpec s;
    s.checker = &checker;
    s.rs = &rs;
    s.vs = &vs;
    s.config = &config;
    s.target.address = *base::IpAddress::Parse(address);
    s.target.port = port;
    s.target.timeout = std::chrono::duration_cast<daemon::ProbeDuration>(timeout);
    return s;
  }
};

struct Outcome {
  daemon::ProbeResult result;
  int reports = 0;
  Ms elapsed{0};      // from Start() to the first report
  bool idle = false;  // the loop ran out of work within the limit
};

// Starts `probe` and runs `io` until it has no work left, at most `limit`.
inline Outcome RunProbe(boost::asio::io_context& io, daemon::Probe& probe, Ms limit = Ms(15000)) {
  Outcome out;
  auto start = std::chrono::steady_clock::now();
  io.restart();
  probe.Start([&](daemon::ProbeResult r) {
    if (out.reports++ == 0) {
      out.result = std::move(r);
      out.elapsed = std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now() - start);
    }
  });
  io.run_for(limit);
  out.idle = io.stopped();
  return out;
}

// Builds the probe of `check` at address:port, runs it once, and checks the invariants every
// run must hold (one report, nothing left on the loop).
inline Outcome RunCheck(const Check& check, const char* address, int port, Ms timeout,
                        std::string* build_error = nullptr) {
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, check.Spec(address, port, timeout), &err);
  if (!probe) {
    if (build_error) *build_error = err;
    ADD_FAILURE() << "probe not built: " << err;
    return Outcome{};
  }
  Outcome out = RunProbe(io, *probe);
  EXPECT_EQ(out.reports, 1) << "done must be called exactly once";
  EXPECT_TRUE(out.idle) << "work left on the event loop after the report";
  EXPECT_EQ(out.result.ok, out.result.failure.empty()) << out.result.failure;
  return out;
}

// Starts a probe, lets it run `after` (so a connect or read is pending), destroys it, and
// runs the loop dry: no report may come, and nothing may touch the freed probe (ASan).
inline void DestroyMidCheck(const Check& check, const char* address, int port, Ms timeout,
                            Ms after = Ms(100)) {
  boost::asio::io_context io;
  std::string err;
  auto probe = daemon::MakeProbe(io, check.Spec(address, port, timeout), &err);
  ASSERT_TRUE(probe) << err;
  int reports = 0;
  probe->Start([&](daemon::ProbeResult) { ++reports; });
  io.run_for(after);
  probe.reset();
  io.restart();
  io.run_for(timeout + Ms(500));
  EXPECT_EQ(reports, 0);
  EXPECT_TRUE(io.stopped()) << "work left on the event loop after the probe was destroyed";
}

}  // namespace vigil::fake
