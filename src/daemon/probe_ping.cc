// PING_CHECK: one ICMP (or ICMPv6) echo request to the target, passed by the matching echo
// reply within connect_timeout.
//
// The socket is an unprivileged ICMP datagram socket if net.ipv4.ping_group_range admits our
// group (it also governs ICMPv6); the kernel then chooses the echo id and hands us only
// replies to it, so a reply is matched on its sequence number. Otherwise a raw socket, which
// needs CAP_NET_RAW, matched on id and sequence among all the host's ICMP. With neither the
// check fails closed as "ping-no-socket" (keepalived instead rewrites ping_group_range when a
// PING_CHECK is configured; Vigil leaves the sysctl alone). Other failures: "ping-timeout"
// (no reply), "ping-unreachable" (an ICMP destination unreachable or a socket error saying
// so), "ping-time-exceeded", "ping-send-error", "ping-read-error", "bind-failed".
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/generic/datagram_protocol.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

#include "check/icmp_echo.h"
#include "daemon/probe.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
namespace icmp = check::icmp;
using Protocol = asio::generic::datagram_protocol;

constexpr size_t kPayload = 56;  // as ping(8)

std::atomic<uint16_t> g_sequence{0};

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

std::string PingGroupRange() {
  std::ifstream in("/proc/sys/net/ipv4/ping_group_range");
  std::string lo, hi;
  if (!(in >> lo >> hi)) return "unreadable";
  return lo + " " + hi;
}

// The socket address of `a` (port 0).
socklen_t SockAddr(const base::IpAddress& a, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof *ss);
  if (a.is_v4()) {
    auto* s = reinterpret_cast<sockaddr_in*>(ss);
    s->sin_family = AF_INET;
    std::memcpy(&s->sin_addr, a.bytes().data(), 4);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(ss);
  s->sin6_family = AF_INET6;
  std::memcpy(&s->sin6_addr, a.bytes().data(), 16);
  return sizeof *s;
}

struct NoParams {};

class PingSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "ping-timeout";
  PingSession(asio::io_context& io, const ProbeTarget& t, NoParams)
      : ProbeSession(io), target_(t), sock_(io) {}

 private:
  void Begin() override {
    bool v6 = !target_.address.is_v4();
    int family = v6 ? AF_INET6 : AF_INET;
    int proto = v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP);
    std::string detail;
    int fd = OpenSocket(family, proto, &detail);
    if (fd < 0) return Finish(ProbeResult::Fail("ping-no-socket", detail));
    boost::system::error_code ec;
    sock_.assign(Protocol(family, proto), fd, ec);
    if (ec) {
      ::close(fd);
      return Finish(ProbeResult::Fail("ping-error", "assign: " + ec.message()));
    }
    if (!Configure(&detail)) return Finish(ProbeResult::Fail("bind-failed", detail));
    int on = 1;
    ::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVERR : IP_RECVERR, &on,
                 sizeof on);
    sockaddr_storage ss;
    socklen_t len = SockAddr(target_.address, &ss);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      return Finish(ProbeResult::Fail(ErrnoFailure(errno, "ping-send"), Errno("connect")));
    }
    expect_.v6 = v6;
    expect_.ip_header = raw_ && !v6;
    expect_.match_id = raw_;
    if (raw_) {
      static thread_local std::mt19937 gen{std::random_device{}()};
      expect_.id = static_cast<uint16_t>(gen());
    }
    expect_.seq = g_sequence.fetch_add(1);
    std::array<uint8_t, kPayload> payload;
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i);
    request_ = icmp::BuildEcho(v6, expect_.id, expect_.seq, payload);
    sock_.async_send(asio::buffer(request_), [self = shared_from_this(), this](
                                                 const boost::system::error_code& ec, size_t) {
      if (finished()) return;
      if (ec) return Finish(ProbeResult::Fail(Failure(ec, "ping-send"), ec.message()));
      Receive();
    });
  }

  // An ICMP datagram socket, else a raw one; -1 and *detail when neither is allowed.
  int OpenSocket(int family, int proto, std::string* detail) {
    int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd >= 0) return fd;
    std::string dgram = Errno("ICMP datagram socket") + " (gid " + std::to_string(::getegid()) +
                        ", net.ipv4.ping_group_range " + PingGroupRange() + ")";
    fd = ::socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
      raw_ = true;
      return fd;
    }
    *detail = dgram + "; " + Errno("raw socket (needs CAP_NET_RAW)");
    return -1;
  }

  // bind_if, fwmark and bindto on the socket.
  bool Configure(std::string* detail) {
    int fd = sock_.native_handle();
    if (!target_.bind_if.empty() &&
        ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, target_.bind_if.c_str(),
                     static_cast<socklen_t>(target_.bind_if.size())) != 0) {
      *detail = Errno(("bind_if " + target_.bind_if).c_str());
      return false;
    }
    if (target_.fwmark) {
      unsigned mark = static_cast<unsigned>(*target_.fwmark);
      if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
        *detail = Errno("fwmark");
        return false;
      }
    }
    if (target_.bindto) {
      sockaddr_storage ss;
      socklen_t len = SockAddr(*target_.bindto, &ss);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        *detail = Errno(("bind " + target_.bindto->ToString()).c_str());
        return false;
      }
    }
    return true;
  }

  void Receive() {
    sock_.async_receive(asio::buffer(buf_), [self = shared_from_this(), this](
                                                const boost::system::error_code& ec, size_t n) {
      if (finished()) return;
      if (ec) return Finish(ProbeResult::Fail(Failure(ec, "ping-read"), ec.message()));
      std::string detail;
      switch (icmp::Classify(std::span<const uint8_t>(buf_.data(), n), expect_, &detail)) {
        case icmp::Match::kReply:
          return Finish(ProbeResult::Ok());
        case icmp::Match::kUnreachable:
          return Finish(ProbeResult::Fail("ping-unreachable", detail));
        case icmp::Match::kTimeExceeded:
          return Finish(ProbeResult::Fail("ping-time-exceeded", detail));
        case icmp::Match::kIgnore:
          return Receive();
      }
    });
  }

  static std::string ErrnoFailure(int e, const char* phase) {
    if (e == EHOSTUNREACH || e == ENETUNREACH || e == ECONNREFUSED) return "ping-unreachable";
    return std::string(phase) + "-error";
  }
  static std::string Failure(const boost::system::error_code& ec, const char* phase) {
    if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable ||
        ec == asio::error::connection_refused) {
      return "ping-unreachable";
    }
    return std::string(phase) + "-error";
  }

  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  asio::basic_datagram_socket<Protocol> sock_;
  bool raw_ = false;
  icmp::Expect expect_;
  std::vector<uint8_t> request_;
  std::array<uint8_t, 1500> buf_{};
};

}  // namespace

std::unique_ptr<Probe> MakePingProbe(asio::io_context& io, const ProbeSpec& spec, std::string*) {
  return std::make_unique<SessionProbe<PingSession, NoParams>>(io, spec.target, NoParams{});
}

}  // namespace vigil::daemon
