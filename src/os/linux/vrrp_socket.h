// Raw IPPROTO_VRRP (112) sockets, one per interface and address family.
//
// Adverts leave with TTL/hop limit 255 and DSCP CS6 (as keepalived sends them), from the
// interface's primary address, to the multicast group or to unicast peers. Received
// datagrams come back with what the kernel said about them (source, destination, TTL/hop
// limit, interface) and the VRRP message itself, without the IP header.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

struct ReceivedDatagram {
  base::IpAddress source;
  base::IpAddress destination;
  int ttl = 0;
  int ifindex = 0;
  uint8_t protocol = 112;        // 112, or 51 when an IPv4 AH header precedes the message
  std::vector<uint8_t> payload;  // the VRRP message (or AH + message)
  // IPv4: the IP header as received (options included), which AH's ICV covers.
  std::array<uint8_t, 60> ip_header{};
  size_t ip_header_size = 0;
};

class VrrpSocket {
 public:
  VrrpSocket(VrrpSocket&& o) noexcept;
  VrrpSocket& operator=(VrrpSocket&&) = delete;
  VrrpSocket(const VrrpSocket&) = delete;
  ~VrrpSocket();

  // Opens the socket on `ifname` for `family`, bound to `source` (the primary address;
  // IPv6: its link-local address) and joined to `group` unless `group` is unset (unicast).
  // `protocol` 51 (IPv4 only) opens VRRPv2 AH sockets instead: they receive AH datagrams,
  // and Send() takes whole IPv4 datagrams (IP_HDRINCL), since the ICV covers the IP header.
  // Adverts leave through `tx_ifname` if it is set (a VMAC: they carry its MAC address), with
  // the same source address. On failure returns nullopt and sets *error.
  static std::optional<VrrpSocket> Open(base::Family family, const std::string& ifname,
                                        const base::IpAddress& source,
                                        const std::optional<base::IpAddress>& group,
                                        std::string* error, uint8_t protocol = 112,
                                        const std::string& tx_ifname = "");

  int fd() const { return fd_; }
  int ifindex() const { return ifindex_; }

  // Sends one VRRP message (AH socket: one IPv4 datagram) to `destination`. Returns false and sets
  // *error on failure.
  bool Send(std::span<const uint8_t> message, const base::IpAddress& destination,
            std::string* error);

  // Reads one datagram if one is waiting (the socket is non-blocking); nullopt otherwise.
  std::optional<ReceivedDatagram> Receive();

 private:
  VrrpSocket(int fd, base::Family family, int ifindex)
      : fd_(fd), family_(family), ifindex_(ifindex) {}
  // Receiving and sending use two sockets: a raw socket bound to an address only receives
  // datagrams sent to that address, which would hide the multicast adverts.
  int fd_;  // receives (not bound to an address; joined to the group)
  base::Family family_;
  int ifindex_;
  int tx_fd_ = -1;  // sends (bound to the source address)
  int tx_ifindex_ = 0;
};

}  // namespace vigil::os
