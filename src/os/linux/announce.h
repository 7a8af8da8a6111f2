// Gratuitous ARP (IPv4) and unsolicited Neighbor Advertisements (IPv6) for virtual addresses,
// so that hosts and switches learn where a VIP lives after a failover.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

// Keeps the two sockets announcements need (AF_PACKET for ARP, raw ICMPv6 for NA), opened
// on first use: a thousand instances becoming master at once send thousands of these.
class Announcer {
 public:
  Announcer() = default;
  Announcer(const Announcer&) = delete;
  Announcer& operator=(const Announcer&) = delete;
  ~Announcer();

  // Sends one gratuitous ARP request (sender = target = `address`) on the interface, from
  // `mac`.
  bool GratuitousArp(int ifindex, const std::vector<uint8_t>& mac, const base::IpAddress& address,
                     std::string* error);

  // Sends one unsolicited NA (override flag, target link-layer address option) to ff02::1.
  bool UnsolicitedNa(int ifindex, const std::vector<uint8_t>& mac, const base::IpAddress& address,
                     std::string* error);

 private:
  int arp_fd_ = -1;
  int na_fd_ = -1;
};

}  // namespace vigil::os
