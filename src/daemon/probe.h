// A checker's probe: the I/O of one health check (keepalived.conf(5), the *_CHECK blocks).
// A probe connects, talks and decides nothing itself beyond "this check passed or failed,
// and why": what the answer means is pure code in check/, and what a run of results means
// for the real server is check::Verdict. Every probe is non-blocking on the daemon's event
// loop, has one overall deadline per check (connect_timeout, or misc_timeout for
// MISC_CHECK) rather than a per-read one, and caps what it reads. Boost.Asio stays inside
// the implementations.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/ip.h"
#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

using ProbeDuration = std::chrono::microseconds;

// One check's outcome. `failure` is a stable kebab-case name ("connect-timeout",
// "connect-refused", "reset", "http-status", "dns-rcode", ...): it is counted per checker and
// shown in the status document. `detail` is for the log line.
struct ProbeResult {
  bool ok = false;
  std::string failure;        // empty when ok
  std::string detail;         // human words, may be empty
  std::optional<int> weight;  // MISC_CHECK with misc_dynamic: the weight the exit code asks
  // HTTP_GET / SSL_GET recovering without fast_recovery: one url of several passed, the next
  // is checked after delay_loop; neither a success nor a failure for the verdict.
  bool partial = false;
  // How long the check's own I/O took, when the probe measured it apart from the event
  // loop's delays (a TCP_CHECK whose connect completed at once); unset: start to report.
  std::optional<ProbeDuration> took;
  static ProbeResult Ok() { return ProbeResult{true, "", "", std::nullopt, false, std::nullopt}; }
  static ProbeResult Fail(std::string failure, std::string detail = "") {
    return ProbeResult{false, std::move(failure), std::move(detail), std::nullopt,
                       false, std::nullopt};
  }
};

// Where and how a checker connects, resolved from the checker, its real server and
// keepalived's defaults (connect_ip / connect_port override the real server's address/port).
struct ProbeTarget {
  base::IpAddress address;
  int port = 0;
  std::optional<base::IpAddress> bindto;
  std::optional<int> bind_port;
  std::string bind_if;
  std::optional<int> fwmark;       // SO_MARK on the probe's socket
  ProbeDuration timeout{5000000};  // connect_timeout: the deadline of the whole check
};

// What a probe is built from. The pointers outlive the probe (the engine owns the config).
struct ProbeSpec {
  const model::CheckerConf* checker = nullptr;
  const model::RealServerConf* rs = nullptr;
  const model::VirtualServerConf* vs = nullptr;
  const model::Config* config = nullptr;  // the `SSL` block, script_user, ...
  ProbeTarget target;
};

class Probe {
 public:
  virtual ~Probe() = default;
  // Runs one check. `done` is called exactly once, from the event loop, at the latest at the
  // deadline (plus a short grace for killing a MISC_CHECK script); never after the probe is
  // destroyed. Start() is not called again before `done` has run.
  virtual void Start(std::function<void(ProbeResult)> done) = 0;
  // The checker is down (at start with alpha, or after a failure). HTTP_GET and SSL_GET
  // without fast_recovery then check one url per run (keepalived.conf(5)); others ignore it.
  virtual void SetRecovering(bool) {}
};

// The probe for spec.checker->kind; nullptr and *error if it cannot be built (a bad regex, a
// missing SSL certificate file, ...). BFD_CHECK has no probe (nullptr, error set).
std::unique_ptr<Probe> MakeProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                 std::string* error);

// One factory per checker kind, each in its own probe_*.cc.
std::unique_ptr<Probe> MakeTcpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                    std::string* error);
std::unique_ptr<Probe> MakeHttpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error);  // HTTP_GET and SSL_GET
std::unique_ptr<Probe> MakeSmtpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error);
std::unique_ptr<Probe> MakeDnsProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                    std::string* error);
std::unique_ptr<Probe> MakeUdpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                    std::string* error);
std::unique_ptr<Probe> MakePingProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error);
std::unique_ptr<Probe> MakeMiscProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error);
std::unique_ptr<Probe> MakeFileProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error);

}  // namespace vigil::daemon
