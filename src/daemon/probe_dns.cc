// DNS_CHECK: one query over UDP to the target (port 53 when none is configured), one reply
// judged by check::dns::ParseReply, all within connect_timeout. As in keepalived, a datagram
// that is short, has another id, or is a query is ignored and the probe keeps waiting; if no
// good reply comes by the deadline, the check fails with the name of the last such datagram
// ("dns-wrong-id", ...), or "dns-timeout" if nothing came. An ICMP port unreachable fails at
// once ("dns-port-unreachable").
#include <array>
#include <boost/asio/ip/udp.hpp>
#include <random>

#include "check/dns.h"
#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
namespace dns = check::dns;

constexpr int kDefaultPort = 53;
constexpr size_t kMaxReply = 4096;  // larger datagrams are cut, and then fail dns-bad-length

struct DnsParams {
  std::string name;
  uint16_t type = dns::kTypeSoa;
};

uint16_t RandomId() {
  static thread_local std::mt19937 gen{std::random_device{}()};
  return static_cast<uint16_t>(gen());
}

class DnsSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "dns-timeout";
  DnsSession(asio::io_context& io, const ProbeTarget& t, const DnsParams& p)
      : ProbeSession(io), target_(t), params_(p), sock_(io) {
    if (target_.port == 0) target_.port = kDefaultPort;
  }

 private:
  void Begin() override {
    std::string detail;
    if (!probe_net::Prepare(sock_, target_, &detail)) {
      return Finish(ProbeResult::Fail("bind-failed", detail));
    }
    query_ = *dns::BuildQuery(RandomId(), params_.name, params_.type, &detail);
    boost::system::error_code ec;
    sock_.connect(probe_net::Endpoint<udp>(target_), ec);
    if (ec) return Finish(ProbeResult::Fail(probe_net::ErrorFailure(ec, "dns-send"), ec.message()));
    sock_.async_send(asio::buffer(query_), [self = shared_from_this(), this](
                                               const boost::system::error_code& ec, size_t) {
      if (finished()) return;
      if (ec) return Finish(ProbeResult::Fail(ReadFailure(ec, "dns-send"), ec.message()));
      Receive();
    });
  }

  void Receive() {
    sock_.async_receive(asio::buffer(buf_), [self = shared_from_this(), this](
                                                const boost::system::error_code& ec, size_t n) {
      if (finished()) return;
      if (ec) return Finish(ProbeResult::Fail(ReadFailure(ec, "dns-read"), ec.message()));
      dns::Reply r = dns::ParseReply(std::span<const uint8_t>(buf_.data(), n), query_);
      if (r.failure == dns::Failure::kNone) return Finish(ProbeResult::Ok());
      if (!dns::Ignorable(r.failure)) {
        return Finish(ProbeResult::Fail(dns::FailureName(r.failure), r.detail));
      }
      timeout_failure_ = dns::FailureName(r.failure);
      ignored_ = r.detail;
      Receive();
    });
  }

  static std::string ReadFailure(const boost::system::error_code& ec, const char* phase) {
    if (ec == asio::error::connection_refused) return "dns-port-unreachable";
    return probe_net::ErrorFailure(ec, phase);
  }

  void OnDeadline() override {
    Finish(ProbeResult::Fail(timeout_failure_,
                             ignored_.empty() ? "no reply by the deadline"
                                              : ignored_ + ", and no good reply by the deadline"));
  }

  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  DnsParams params_;
  udp::socket sock_;
  std::vector<uint8_t> query_;
  std::array<uint8_t, kMaxReply> buf_{};
  std::string ignored_;
};

}  // namespace

std::unique_ptr<Probe> MakeDnsProbe(asio::io_context& io, const ProbeSpec& spec,
                                    std::string* error) {
  const auto& d = spec.checker->details.get();
  DnsParams p;
  if (!d.dns_type.empty()) {
    auto t = dns::TypeCode(d.dns_type);
    if (!t) {
      *error = "DNS_CHECK type " + d.dns_type + " is not one of A NS CNAME SOA MX TXT AAAA";
      return nullptr;
    }
    p.type = *t;
  }
  p.name = d.dns_name.empty() ? "." : d.dns_name;
  if (!dns::BuildQuery(0, p.name, p.type, error)) return nullptr;
  return std::make_unique<SessionProbe<DnsSession, DnsParams>>(io, spec.target, std::move(p));
}

}  // namespace vigil::daemon
