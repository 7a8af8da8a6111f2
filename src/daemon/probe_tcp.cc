// TCP_CHECK: the check passes when a TCP connection to the target opens within
// connect_timeout; the connection is then reset at once.
//
// The probe keeps its socket from one check to the next: a passed check ends with a TCP
// disconnect (connect() to AF_UNSPEC, which resets the connection and leaves the socket
// unconnected but open and registered with the event loop), so a check costs no socket(),
// close() or epoll registration, only the handshake and a reset, and leaves no TIME_WAIT on
// either side (HAProxy's checks also end with a reset). A failed check closes the socket; the
// next one opens a fresh one.
//
// The connect is issued directly: when it completes at once (a local target), the check's
// duration is that of the call, whatever the event loop does before it hears of it;
// otherwise the socket is watched for writability and SO_ERROR tells the outcome.
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>

#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

using boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class TcpSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "connect-timeout";
  TcpSession(boost::asio::io_context& io, const ProbeTarget& t, std::shared_ptr<tcp::socket> sock)
      : ProbeSession(io), target_(t), sock_(std::move(sock)) {}

 private:
  void Begin() override {
    boost::system::error_code ec;
    if (!sock_->is_open()) {
      std::string detail;
      if (!probe_net::Prepare(*sock_, target_, &detail)) {
        Finish(ProbeResult::Fail("bind-failed", detail));
        return;
      }
      sock_->non_blocking(true, ec);
    }
    auto ep = probe_net::Endpoint<tcp>(target_);
    auto start = Clock::now();
    if (::connect(sock_->native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) == 0) {
      return Passed(Clock::now() - start);
    }
    if (errno != EINPROGRESS) return Failed(errno);
    sock_->async_wait(tcp::socket::wait_write, [self = shared_from_this(), this,
                                                start](const boost::system::error_code& ec) {
      if (finished()) return;
      if (ec) {
        Finish(ProbeResult::Fail(probe_net::ErrorFailure(ec, "connect"), ec.message()));
        return;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(sock_->native_handle(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return Failed(err);
      Passed(Clock::now() - start);
    });
  }
  void Passed(Clock::duration took) {
    passed_ = Disconnect();
    ProbeResult r = ProbeResult::Ok();
    r.took = std::chrono::duration_cast<ProbeDuration>(took);
    Finish(std::move(r));
  }
  void Failed(int err) {
    boost::system::error_code ec(err, boost::system::system_category());
    Finish(ProbeResult::Fail(probe_net::ErrorFailure(ec, "connect"), ec.message()));
  }
  // Resets the connection and keeps the socket for the next check; false if the kernel
  // would not (the socket is then closed).
  bool Disconnect() {
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    return ::connect(sock_->native_handle(), &unspec, sizeof unspec) == 0;
  }
  void Close() override {
    if (passed_) return;  // disconnected and ready for the next check
    boost::system::error_code ec;
    sock_->close(ec);
  }

  ProbeTarget target_;
  std::shared_ptr<tcp::socket> sock_;
  bool passed_ = false;
};

class TcpProbe : public Probe {
 public:
  TcpProbe(boost::asio::io_context& io, ProbeTarget target)
      : io_(io), target_(std::move(target)), sock_(std::make_shared<tcp::socket>(io)) {}
  ~TcpProbe() override {
    if (session_) session_->Abandon();
    boost::system::error_code ec;
    sock_->close(ec);
  }
  void Start(std::function<void(ProbeResult)> done) override {
    if (session_) session_->Abandon();
    session_ = std::make_shared<TcpSession>(io_, target_, sock_);
    RunAndRelease(session_, target_.timeout, TcpSession::kTimeoutFailure, std::move(done));
  }

 private:
  boost::asio::io_context& io_;
  ProbeTarget target_;
  std::shared_ptr<tcp::socket> sock_;
  std::shared_ptr<TcpSession> session_;
};

}  // namespace

std::unique_ptr<Probe> MakeTcpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                    std::string*) {
  return std::make_unique<TcpProbe>(io, spec.target);
}

}  // namespace vigil::daemon
