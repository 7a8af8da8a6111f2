// TCP_CHECK: the check passes when a TCP connection to the target opens within
// connect_timeout; the connection is then closed at once.
#include <boost/asio/ip/tcp.hpp>

#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

using boost::asio::ip::tcp;

struct NoParams {};

class TcpSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "connect-timeout";
  TcpSession(boost::asio::io_context& io, const ProbeTarget& t, NoParams)
      : ProbeSession(io), target_(t), sock_(io) {}

 private:
  void Begin() override {
    std::string detail;
    if (!probe_net::Prepare(sock_, target_, &detail)) {
      Finish(ProbeResult::Fail("bind-failed", detail));
      return;
    }
    sock_.async_connect(
        probe_net::Endpoint<tcp>(target_),
        [self = shared_from_this(), this](const boost::system::error_code& ec) {
          if (finished()) return;
          if (ec) {
            Finish(ProbeResult::Fail(probe_net::ErrorFailure(ec, "connect"), ec.message()));
          } else {
            Finish(ProbeResult::Ok());
          }
        });
  }
  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  tcp::socket sock_;
};

}  // namespace

std::unique_ptr<Probe> MakeTcpProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                    std::string*) {
  return std::make_unique<SessionProbe<TcpSession, NoParams>>(io, spec.target, NoParams{});
}

}  // namespace vigil::daemon
