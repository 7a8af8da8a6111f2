// Gratuitous ARP (IPv4) and unsolicited Neighbor Advertisements (IPv6) for virtual addresses,
// so that hosts and switches learn where a VIP lives after a failover.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

// Sends one gratuitous ARP request (sender = target = `address`) on the interface, from `mac`.
bool SendGratuitousArp(int ifindex, const std::vector<uint8_t>& mac, const base::IpAddress& address,
                       std::string* error);

// Sends one unsolicited NA (override flag, target link-layer address option) to ff02::1.
bool SendUnsolicitedNa(int ifindex, const std::vector<uint8_t>& mac, const base::IpAddress& address,
                       std::string* error);

}  // namespace vigil::os
