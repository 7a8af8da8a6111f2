// MISC_CHECK: runs misc_path (without a shell, as the resolved script user). Exit status 0
// passes; 1 fails; with misc_dynamic, 2-255 pass and set the real server's weight to
// status - 2 (an absolute weight: repeated runs never accumulate, keepalived#2720). Other
// statuses fail, a signal death included. At misc_timeout (default delay_loop) the check
// fails as "misc-timeout" and the script's process group gets SIGTERM, then SIGKILL a second
// later; no new run starts while an old one is still being killed ("misc-still-running").
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>

#include "daemon/probe.h"
#include "daemon/probe_session.h"
#include "daemon/script_runas.h"
#include "os/linux/process.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
constexpr auto kKillGrace = std::chrono::seconds(1);

struct MiscParams {
  std::vector<std::string> argv;
  RunAs run_as;
  bool dynamic = false;
};

class MiscSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "misc-timeout";
  MiscSession(asio::io_context& io, const ProbeTarget&, const MiscParams& p)
      : ProbeSession(io), params_(p), kill_(io) {}
  bool running() const { return child_.has_value(); }

 private:
  void Begin() override {
    if (params_.run_as.refused) {
      return Finish(ProbeResult::Fail("misc-refused", params_.run_as.why));
    }
    std::string err;
    auto child = os::Child::Spawn(params_.argv, params_.run_as.credentials, &err);
    if (!child) return Finish(ProbeResult::Fail("misc-cannot-start", err));
    child_.emplace(std::move(*child));
    watch_ = std::make_unique<asio::posix::stream_descriptor>(io_, ::dup(child_->pidfd()));
    Watch();
  }
  void Watch() {
    watch_->async_wait(asio::posix::stream_descriptor::wait_read,
                       [self = shared_from_this(), this](const boost::system::error_code& ec) {
                         if (ec || !child_) return;
                         auto status = child_->TryReap();
                         if (!status) return Watch();
                         child_.reset();
                         kill_.cancel();
                         Ended(*status);
                       });
  }
  // `status`: the exit status, or 128 + the signal that ended it (os::Child).
  void Ended(int status) {
    if (finished()) return;  // timed out, already reported
    if (status == 0) return Finish(ProbeResult::Ok());
    if (params_.dynamic && status >= 2 && status <= 255) {
      auto r = ProbeResult::Ok();
      r.weight = status - 2;
      return Finish(r);
    }
    Finish(ProbeResult::Fail("misc-exit", "exit status " + std::to_string(status)));
  }
  // Finishing (the deadline, or the probe gone) stops a script still running.
  void Close() override {
    if (!child_) return;
    child_->Signal(SIGTERM);
    kill_.expires_after(kKillGrace);
    kill_.async_wait([self = shared_from_this(), this](const boost::system::error_code& ec) {
      if (!ec && child_) child_->Signal(SIGKILL);
    });
  }

  MiscParams params_;
  std::optional<os::Child> child_;
  std::unique_ptr<asio::posix::stream_descriptor> watch_;
  asio::steady_timer kill_;
};

class MiscProbe : public Probe {
 public:
  MiscProbe(asio::io_context& io, ProbeDuration timeout, MiscParams p)
      : io_(io), timeout_(timeout), params_(std::move(p)) {}
  ~MiscProbe() override {
    if (session_) session_->Abandon();
  }
  void Start(std::function<void(ProbeResult)> done) override {
    if (session_ && session_->running()) {
      asio::post(io_, [done = std::move(done)] {
        done(ProbeResult::Fail("misc-still-running", "the previous run is still being stopped"));
      });
      return;
    }
    session_ = std::make_shared<MiscSession>(io_, ProbeTarget{}, params_);
    session_->Run(timeout_, MiscSession::kTimeoutFailure, std::move(done));
  }

 private:
  asio::io_context& io_;
  ProbeDuration timeout_;
  MiscParams params_;
  std::shared_ptr<MiscSession> session_;
};

}  // namespace

std::unique_ptr<Probe> MakeMiscProbe(asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error) {
  const auto& d = spec.checker->details.get();
  if (!d.misc_path || d.misc_path->argv.empty()) {
    *error = "MISC_CHECK without misc_path";
    return nullptr;
  }
  MiscParams p;
  p.argv = d.misc_path->argv;
  std::string who = d.user;
  if (who.empty() && !d.misc_path->user.empty()) {
    who = d.misc_path->user + (d.misc_path->group.empty() ? "" : " " + d.misc_path->group);
  }
  p.run_as = ResolveRunAs(p.argv[0], who, spec.config->global);
  p.dynamic = d.misc_dynamic;
  auto timeout = d.misc_timeout.value_or(
      spec.checker->common.delay_loop.value_or(spec.rs->delay_loop.value_or(spec.vs->delay_loop)));
  return std::make_unique<MiscProbe>(io, std::chrono::duration_cast<ProbeDuration>(timeout),
                                     std::move(p));
}

}  // namespace vigil::daemon
