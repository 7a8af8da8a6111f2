// The life of one check (internal to src/daemon/probe_*.cc; includes Asio): a session owns
// the check's socket(s) and its single deadline, and reports exactly once. The probe keeps
// the running session; handlers hold it alive by shared_ptr, so a probe destroyed mid-check
// abandons the session (closing its sockets) and no handler touches freed memory.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "daemon/probe.h"

namespace vigil::daemon {

class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  explicit ProbeSession(boost::asio::io_context& io) : io_(io), deadline_(io) {}
  virtual ~ProbeSession() = default;

  // Arms the deadline and runs Begin(). At the deadline the session finishes with
  // `timeout_failure` (a pending connect or read is cancelled by Close()).
  void Run(ProbeDuration timeout, std::string timeout_failure,
           std::function<void(ProbeResult)> done) {
    done_ = std::move(done);
    timeout_failure_ = std::move(timeout_failure);
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->OnDeadline();
    });
    Begin();
  }
  // The probe is gone: no report, sockets closed, pending handlers end quietly.
  void Abandon() {
    done_ = nullptr;
    finished_ = true;
    deadline_.cancel();
    Close();
  }
  bool finished() const { return finished_; }

 protected:
  virtual void Begin() = 0;
  // Closes the session's sockets (pending operations complete with operation_aborted).
  virtual void Close() = 0;
  // Called at the deadline before finishing; a session may refine the failure name (e.g.
  // "connect-timeout" vs "read-timeout") by changing timeout_failure_.
  virtual void OnDeadline() { Finish(ProbeResult::Fail(timeout_failure_, "deadline reached")); }

  // Reports `r` (from the event loop, never from inside Start()) unless abandoned first.
  void Finish(ProbeResult r) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    Close();
    boost::asio::post(io_, [self = shared_from_this(), r = std::move(r)]() mutable {
      auto done = std::move(self->done_);
      self->done_ = nullptr;
      if (done) done(std::move(r));
    });
  }

  boost::asio::io_context& io_;
  boost::asio::steady_timer deadline_;
  std::string timeout_failure_;

 private:
  std::function<void(ProbeResult)> done_;
  bool finished_ = false;
};

// Runs the session in `slot` (a probe's member) and lets it go at its report, so that a
// finished check's buffers and parser are not kept until the next one; the report's handler
// keeps the session alive until it returns. `done` may destroy the probe.
template <typename S>
void RunAndRelease(std::shared_ptr<S>& slot, ProbeDuration timeout, const char* timeout_failure,
                   std::function<void(ProbeResult)> done) {
  slot->Run(timeout, timeout_failure, [&slot, done = std::move(done)](ProbeResult r) {
    slot.reset();
    done(std::move(r));
  });
}

// A probe that runs one session of type S per check.
template <typename S, typename Params>
class SessionProbe : public Probe {
 public:
  SessionProbe(boost::asio::io_context& io, ProbeTarget target, Params params)
      : io_(io), target_(std::move(target)), params_(std::move(params)) {}
  ~SessionProbe() override {
    if (session_) session_->Abandon();
  }
  void Start(std::function<void(ProbeResult)> done) override {
    if (session_) session_->Abandon();
    session_ = std::make_shared<S>(io_, target_, params_);
    RunAndRelease(session_, target_.timeout, S::kTimeoutFailure, std::move(done));
  }

 private:
  boost::asio::io_context& io_;
  ProbeTarget target_;
  Params params_;
  std::shared_ptr<S> session_;
};

}  // namespace vigil::daemon
