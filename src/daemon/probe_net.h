// Socket set-up shared by the probes (internal to src/daemon/probe_*.cc; it includes Asio, so
// no module header may include it): the checker's bindto / bind_port / bind_if / fwmark on a
// fresh socket, the target's endpoint, and the named failure of a connect error.
#pragma once

#include <net/if.h>
#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "daemon/probe.h"

namespace vigil::daemon::probe_net {

inline boost::asio::ip::address ToAsio(const base::IpAddress& a) {
  if (a.is_v4()) {
    const auto& b = a.bytes();
    return boost::asio::ip::address_v4({b[0], b[1], b[2], b[3]});
  }
  boost::asio::ip::address_v6::bytes_type b;
  std::memcpy(b.data(), a.bytes().data(), 16);
  return boost::asio::ip::address_v6(b);
}

template <typename Protocol>
typename Protocol::endpoint Endpoint(const ProbeTarget& t) {
  return typename Protocol::endpoint(ToAsio(t.address), static_cast<unsigned short>(t.port));
}

// Opens `sock` for the target's family and applies the checker's source options. False, with
// the reason in *detail, if one cannot be applied (the check then fails as "bind-failed").
template <typename Socket>
bool Prepare(Socket& sock, const ProbeTarget& t, std::string* detail) {
  using Protocol = typename Socket::protocol_type;
  boost::system::error_code ec;
  sock.open(t.address.is_v4() ? Protocol::v4() : Protocol::v6(), ec);
  if (ec) {
    *detail = "socket: " + ec.message();
    return false;
  }
  int fd = sock.native_handle();
  if (!t.bind_if.empty() && ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, t.bind_if.c_str(),
                                         static_cast<socklen_t>(t.bind_if.size())) != 0) {
    *detail = "bind_if " + t.bind_if + ": " + std::strerror(errno);
    return false;
  }
  if (t.fwmark) {
    unsigned mark = static_cast<unsigned>(*t.fwmark);
    if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
      *detail = "fwmark: " + std::string(std::strerror(errno));
      return false;
    }
  }
  if (t.bindto || t.bind_port) {
    sock.set_option(boost::asio::socket_base::reuse_address(true), ec);
    boost::asio::ip::address src =
        t.bindto ? ToAsio(*t.bindto)
                 : (t.address.is_v4() ? boost::asio::ip::address(boost::asio::ip::address_v4())
                                      : boost::asio::ip::address(boost::asio::ip::address_v6()));
    sock.bind(
        typename Protocol::endpoint(src, static_cast<unsigned short>(t.bind_port.value_or(0))), ec);
    if (ec) {
      *detail = "bind " + src.to_string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

// The named failure of a failed connect (or of a read/write on a connected socket).
inline std::string ErrorFailure(const boost::system::error_code& ec, const char* phase) {
  std::string p = phase;
  if (ec == boost::asio::error::connection_refused) return p + "-refused";
  if (ec == boost::asio::error::connection_reset) return p + "-reset";
  if (ec == boost::asio::error::eof) return p + "-closed";
  if (ec == boost::asio::error::host_unreachable || ec == boost::asio::error::network_unreachable)
    return p + "-unreachable";
  if (ec == boost::asio::error::timed_out) return p + "-timeout";
  return p + "-error";
}

}  // namespace vigil::daemon::probe_net
