// UDP_CHECK: one datagram (the payload, or 32 random bytes as keepalived sends when none is
// set) on a connected UDP socket with IP_RECVERR, then wait until connect_timeout for a
// reply. An ICMP error fails at once: "udp-port-unreachable" (ECONNREFUSED),
// "udp-host-unreachable", "udp-net-unreachable". A reply is judged by check::udp (with
// require_reply: "udp-reply-short", "udp-reply-long", "udp-reply-mismatch"; without it, any
// reply passes). No reply by the deadline fails as "udp-no-reply" with require_reply and
// passes without it, as in keepalived.
#include <netinet/in.h>

#include <algorithm>
#include <boost/asio/ip/udp.hpp>
#include <random>

#include "check/udp.h"
#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

constexpr size_t kRandomPayload = 32;
constexpr size_t kMaxDatagram = 65536;

struct UdpParams {
  std::vector<uint8_t> payload;  // empty: random
  check::udp::ReplyRule rule;
};

class UdpSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "udp-no-reply";
  UdpSession(asio::io_context& io, const ProbeTarget& t, const UdpParams& p)
      : ProbeSession(io),
        target_(t),
        params_(p),
        sock_(io),
        // one byte more than max_reply_length tells a too-long reply
        buf_(std::min(kMaxDatagram, params_.rule.max_length + 1)) {}

 private:
  void Begin() override {
    std::string detail;
    if (!probe_net::Prepare(sock_, target_, &detail)) {
      return Finish(ProbeResult::Fail("bind-failed", detail));
    }
    int on = 1;
    bool v4 = target_.address.is_v4();
    ::setsockopt(sock_.native_handle(), v4 ? IPPROTO_IP : IPPROTO_IPV6,
                 v4 ? IP_RECVERR : IPV6_RECVERR, &on, sizeof on);
    boost::system::error_code ec;
    sock_.connect(probe_net::Endpoint<udp>(target_), ec);
    if (ec) return Finish(ProbeResult::Fail(Failure(ec, "udp-send"), ec.message()));
    payload_ = params_.payload;
    if (payload_.empty()) {
      static thread_local std::mt19937 gen{std::random_device{}()};
      payload_.resize(kRandomPayload);
      for (auto& b : payload_) b = static_cast<uint8_t>(gen());
    }
    sock_.async_send(asio::buffer(payload_), [self = shared_from_this(), this](
                                                 const boost::system::error_code& ec, size_t) {
      if (finished()) return;
      if (ec) return Finish(ProbeResult::Fail(Failure(ec, "udp-send"), ec.message()));
      sock_.async_receive(asio::buffer(buf_),
                          [self, this](const boost::system::error_code& ec, size_t n) {
                            if (finished()) return;
                            OnReply(ec, n);
                          });
    });
  }

  void OnReply(const boost::system::error_code& ec, size_t n) {
    if (ec) return Finish(ProbeResult::Fail(Failure(ec, "udp-read"), ec.message()));
    std::string detail;
    const char* f =
        check::udp::CheckReply(params_.rule, std::span<const uint8_t>(buf_.data(), n), &detail);
    Finish(f ? ProbeResult::Fail(f, detail) : ProbeResult::Ok());
  }

  void OnDeadline() override {
    if (!params_.rule.require_reply) return Finish(ProbeResult::Ok());
    Finish(ProbeResult::Fail("udp-no-reply", "no reply by the deadline"));
  }

  static std::string Failure(const boost::system::error_code& ec, const char* phase) {
    if (ec == asio::error::connection_refused) return "udp-port-unreachable";
    if (ec == asio::error::host_unreachable) return "udp-host-unreachable";
    if (ec == asio::error::network_unreachable) return "udp-net-unreachable";
    return probe_net::ErrorFailure(ec, phase);
  }

  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  UdpParams params_;
  udp::socket sock_;
  std::vector<uint8_t> payload_;
  std::vector<uint8_t> buf_;
};

}  // namespace

std::unique_ptr<Probe> MakeUdpProbe(asio::io_context& io, const ProbeSpec& spec,
                                    std::string* error) {
  const auto& d = spec.checker->details.get();
  if (spec.target.port == 0) {
    *error = "UDP_CHECK needs a port (connect_port, or the real server's)";
    return nullptr;
  }
  UdpParams p;
  if (!d.payload.empty()) {
    auto hex = check::udp::ParseHex(d.payload, false);
    if (!hex) {
      *error = "UDP_CHECK payload is not a hex string: " + d.payload;
      return nullptr;
    }
    p.payload = std::move(hex->bytes);
  }
  auto rule = check::udp::MakeRule(d.require_reply.has_value(), d.require_reply.value_or(""),
                                   d.min_reply_length, d.max_reply_length, error);
  if (!rule) return nullptr;
  p.rule = std::move(*rule);
  return std::make_unique<SessionProbe<UdpSession, UdpParams>>(io, spec.target, std::move(p));
}

}  // namespace vigil::daemon
