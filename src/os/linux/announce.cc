#include "os/linux/announce.h"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

Announcer::~Announcer() {
  if (arp_fd_ >= 0) ::close(arp_fd_);
  if (na_fd_ >= 0) ::close(na_fd_);
}

bool Announcer::GratuitousArp(int ifindex, const std::vector<uint8_t>& mac,
                              const base::IpAddress& address, std::string* error) {
  if (mac.size() != 6) {
    *error = "gratuitous ARP needs an Ethernet interface";
    return false;
  }
  if (arp_fd_ < 0) {
    // Send-only: protocol 0 means the socket receives nothing.
    arp_fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (arp_fd_ < 0) {
      *error = Errno("socket(AF_PACKET)");
      return false;
    }
    // Room for a burst (a thousand VIPs times garp_master_repeat) on a slow link.
    int sndbuf = 1 << 20;
    ::setsockopt(arp_fd_, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  }
  int fd = arp_fd_;
  // ARP request, RFC 5227 §3 announcement form: sender and target protocol address = VIP.
  uint8_t arp[28];
  arp[0] = 0, arp[1] = 1;        // hardware type Ethernet
  arp[2] = 0x08, arp[3] = 0x00;  // protocol IPv4
  arp[4] = 6, arp[5] = 4;
  arp[6] = 0, arp[7] = 1;  // request
  std::memcpy(arp + 8, mac.data(), 6);
  std::memcpy(arp + 14, address.bytes().data(), 4);
  std::memset(arp + 18, 0, 6);
  std::memcpy(arp + 24, address.bytes().data(), 4);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  std::memset(to.sll_addr, 0xff, 6);
  bool ok = ::sendto(fd, arp, sizeof arp, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(sizeof arp);
  if (!ok) *error = Errno("sendto(ARP)");
  return ok;
}

bool Announcer::UnsolicitedNa(int ifindex, const std::vector<uint8_t>& mac,
                              const base::IpAddress& address, std::string* error) {
  if (na_fd_ < 0) {
    na_fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
    if (na_fd_ < 0) {
      *error = Errno("socket(ICMPv6)");
      return false;
    }
    // RFC 4861 §7.1.2: hop limit 255. The socket only sends: filter out every ICMPv6 type.
    int hops = 255;
    ::setsockopt(na_fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops);
    icmp6_filter block;
    ICMP6_FILTER_SETBLOCKALL(&block);
    ::setsockopt(na_fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &block, sizeof block);
  }
  int fd = na_fd_;
  ::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
  // RFC 4861 §4.4 / §7.2.6: Neighbor Advertisement with the Override flag and the target
  // link-layer address option; the kernel fills in the ICMPv6 checksum.
  uint8_t na[32] = {};
  na[0] = ND_NEIGHBOR_ADVERT;
  na[4] = 0x20;  // Override (not Solicited, not Router)
  std::memcpy(na + 8, address.bytes().data(), 16);
  na[24] = ND_OPT_TARGET_LINKADDR;
  na[25] = 1;  // length in units of 8 octets
  size_t len = 24;
  if (mac.size() == 6) {
    std::memcpy(na + 26, mac.data(), 6);
    len = 32;
  }
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr.s6_addr[0] = 0xff;
  to.sin6_addr.s6_addr[1] = 0x02;
  to.sin6_addr.s6_addr[15] = 0x01;
  to.sin6_scope_id = static_cast<uint32_t>(ifindex);
  bool ok = ::sendto(fd, na, len, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) ==
            static_cast<ssize_t>(len);
  if (!ok) *error = Errno("sendto(NA)");
  return ok;
}

}  // namespace vigil::os
