#include "os/linux/vrrp_socket.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {
namespace {

constexpr int kProtoVrrp = 112;
constexpr int kTosCs6 = 0xc0;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

sockaddr_in ToSockaddr4(const base::IpAddress& a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  std::memcpy(&s.sin_addr, a.bytes().data(), 4);
  return s;
}

sockaddr_in6 ToSockaddr6(const base::IpAddress& a, int ifindex) {
  sockaddr_in6 s{};
  s.sin6_family = AF_INET6;
  std::memcpy(&s.sin6_addr, a.bytes().data(), 16);
  s.sin6_scope_id = static_cast<uint32_t>(ifindex);
  return s;
}

base::IpAddress FromIn6(const in6_addr& a) {
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), &a, 16);
  return base::IpAddress::V6(b);
}

bool IsMulticast(const base::IpAddress& a) {
  return a.is_v4() ? (a.bytes()[0] & 0xf0) == 0xe0 : a.bytes()[0] == 0xff;
}

}  // namespace

VrrpSocket::VrrpSocket(VrrpSocket&& o) noexcept
    : fd_(o.fd_),
      family_(o.family_),
      ifindex_(o.ifindex_),
      tx_fd_(o.tx_fd_),
      tx_ifindex_(o.tx_ifindex_) {
  o.fd_ = -1;
  o.tx_fd_ = -1;
}

VrrpSocket::~VrrpSocket() {
  if (fd_ >= 0) ::close(fd_);
  if (tx_fd_ >= 0) ::close(tx_fd_);
}

std::optional<VrrpSocket> VrrpSocket::Open(base::Family family, const std::string& ifname,
                                           const base::IpAddress& source,
                                           const std::optional<base::IpAddress>& group,
                                           std::string* error, uint8_t protocol,
                                           const std::string& tx_ifname) {
  int ifindex = static_cast<int>(::if_nametoindex(ifname.c_str()));
  const std::string& tx_name = tx_ifname.empty() ? ifname : tx_ifname;
  int tx_ifindex = static_cast<int>(::if_nametoindex(tx_name.c_str()));
  if (ifindex == 0 || tx_ifindex == 0) {
    *error = "interface " + (ifindex == 0 ? ifname : tx_name) + " not found";
    return std::nullopt;
  }
  bool v4 = family == base::Family::kIPv4;
  int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    *error = Errno(protocol == kProtoVrrp ? "socket(IPPROTO_VRRP)" : "socket(IPPROTO_AH)");
    return std::nullopt;
  }
  VrrpSocket s(fd, family, ifindex);
  s.tx_ifindex_ = tx_ifindex;
  auto fail = [&](const char* what) -> std::optional<VrrpSocket> {
    *error = Errno(what);
    return std::nullopt;
  };
  s.tx_fd_ = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (s.tx_fd_ < 0) return fail("socket(send)");
  if (protocol != kProtoVrrp) {
    if (!v4) {
      *error = "AH authentication is IPv4 only";
      return std::nullopt;
    }
    int on = 1;
    if (::setsockopt(s.tx_fd_, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) != 0) {
      return fail("IP_HDRINCL");
    }
  }
  // The send socket never reads: an empty receive buffer keeps it from queueing adverts.
  int tiny = 1;
  ::setsockopt(s.tx_fd_, SOL_SOCKET, SO_RCVBUF, &tiny, sizeof tiny);
  for (auto [f, name] : {std::pair{fd, &ifname}, std::pair{s.tx_fd_, &tx_name}}) {
    if (::setsockopt(f, SOL_SOCKET, SO_BINDTODEVICE, name->c_str(),
                     static_cast<socklen_t>(name->size())) != 0) {
      return fail("SO_BINDTODEVICE");
    }
  }
  int tx = s.tx_fd_;
  int ttl = 255, zero = 0, one = 1, tos = kTosCs6;
  if (v4) {
    sockaddr_in local = ToSockaddr4(source);
    if (::bind(tx, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return fail("bind");
    ip_mreqn mif{};
    mif.imr_ifindex = tx_ifindex;
    if (::setsockopt(tx, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0 ||
        ::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0 ||
        ::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_LOOP, &zero, sizeof zero) != 0 ||
        ::setsockopt(tx, IPPROTO_IP, IP_TOS, &tos, sizeof tos) != 0 ||
        ::setsockopt(tx, IPPROTO_IP, IP_MULTICAST_IF, &mif, sizeof mif) != 0 ||
        ::setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) != 0) {
      return fail("setsockopt(IPv4)");
    }
    if (group) {
      ip_mreqn m{};
      std::memcpy(&m.imr_multiaddr, group->bytes().data(), 4);
      m.imr_ifindex = ifindex;
      if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) != 0) {
        return fail("IP_ADD_MEMBERSHIP");
      }
    }
  } else {
    sockaddr_in6 local = ToSockaddr6(source, tx_ifindex);
    if (::bind(tx, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return fail("bind");
    if (::setsockopt(tx, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0 ||
        ::setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof ttl) != 0 ||
        ::setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof zero) != 0 ||
        ::setsockopt(tx, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos) != 0 ||
        ::setsockopt(tx, IPPROTO_IPV6, IPV6_MULTICAST_IF, &tx_ifindex, sizeof tx_ifindex) != 0 ||
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof one) != 0 ||
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one) != 0) {
      return fail("setsockopt(IPv6)");
    }
    if (group) {
      ipv6_mreq m{};
      std::memcpy(&m.ipv6mr_multiaddr, group->bytes().data(), 16);
      m.ipv6mr_interface = static_cast<unsigned>(ifindex);
      if (::setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof m) != 0) {
        return fail("IPV6_ADD_MEMBERSHIP");
      }
    }
  }
  return s;
}

bool VrrpSocket::Send(std::span<const uint8_t> message, const base::IpAddress& destination,
                      std::string* error) {
  ssize_t n;
  if (family_ == base::Family::kIPv4) {
    sockaddr_in to = ToSockaddr4(destination);
    n = ::sendto(tx_fd_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
  } else {
    sockaddr_in6 to = ToSockaddr6(
        destination, IsMulticast(destination) || (destination.bytes()[0] == 0xfe &&
                                                  (destination.bytes()[1] & 0xc0) == 0x80)
                         ? tx_ifindex_
                         : 0);
    n = ::sendto(tx_fd_, message.data(), message.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
  }
  if (n < 0) {
    *error = Errno("sendto");
    return false;
  }
  return true;
}

std::optional<ReceivedDatagram> VrrpSocket::Receive() {
  uint8_t buf[4096];
  uint8_t control[256];
  sockaddr_storage from{};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &msg, 0);
  if (n <= 0) return std::nullopt;
  ReceivedDatagram d;
  d.ifindex = ifindex_;
  if (family_ == base::Family::kIPv4) {
    // Raw IPv4 sockets deliver the IP header; the TTL and addresses are read from it.
    if (n < static_cast<ssize_t>(sizeof(iphdr))) return d;  // empty payload: a length error
    const auto* ip = reinterpret_cast<const iphdr*>(buf);
    size_t ihl = static_cast<size_t>(ip->ihl) * 4;
    if (ihl < sizeof(iphdr) || ihl > static_cast<size_t>(n)) return d;
    d.ttl = ip->ttl;
    d.protocol = ip->protocol;
    d.source = base::IpAddress::V4(ntohl(ip->saddr));
    d.destination = base::IpAddress::V4(ntohl(ip->daddr));
    d.payload.assign(buf + ihl, buf + n);
    std::memcpy(d.ip_header.data(), buf, ihl);
    d.ip_header_size = ihl;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo pi;
        std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
        d.ifindex = pi.ipi_ifindex;
      }
    }
    return d;
  }
  const auto* src = reinterpret_cast<const sockaddr_in6*>(&from);
  d.source = FromIn6(src->sin6_addr);
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) {
      int hl;
      std::memcpy(&hl, CMSG_DATA(c), sizeof hl);
      d.ttl = hl;
    } else if (c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      d.destination = FromIn6(pi.ipi6_addr);
      d.ifindex = static_cast<int>(pi.ipi6_ifindex);
    }
  }
  d.payload.assign(buf, buf + n);
  return d;
}

}  // namespace vigil::os
