// The attribute encoding and decoding of os/linux/ipvs.cc (IPVS generic netlink): private to it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "os/linux/ipvs.h"

struct nlattr;
struct nlmsghdr;

namespace vigil::os::ipvs_attrs {

// The attributes of one level, by type (every IPVS level has fewer than 32 types).
using Attrs = std::array<const nlattr*, 32>;
Attrs Parse(const nlmsghdr* nlh);  // the top level of a generic netlink message
Attrs ParseNested(const nlattr* nest);
// Payload readers: 0 when the attribute is absent or too short.
uint8_t U8(const nlattr* a);
uint16_t U16(const nlattr* a);
uint32_t U32(const nlattr* a);

// IPVS_CMD_ATTR_SERVICE: the identity (family and fwmark, or protocol, address, port), and
// with `full` the rest (scheduler, flags, timeout, netmask, pe). "" or what is wrong with `s`.
std::string PutService(nlmsghdr* nlh, const IpvsService& s, bool full);
// IPVS_CMD_ATTR_DEST: address and port, and with `full` the rest.
std::string PutDest(nlmsghdr* nlh, const IpvsDest& d, bool full);
std::string PutDaemon(nlmsghdr* nlh, const IpvsSyncDaemon& d);

// One message of a dump (or a GET reply), `m` a const nlmsghdr*; false if it lacks what it
// must carry.
bool DecodeService(const void* m, IpvsService* out);
bool DecodeDest(const void* m, IpvsDest* out);
bool DecodeDaemon(const void* m, IpvsSyncDaemon* out);

// For messages: "TCP 192.0.2.10:80", "UDP [2001:db8::1]:53", "FWM 7 (IPv6)";
// "198.51.100.1:80".
std::string Describe(const IpvsService& s);
std::string Describe(const IpvsDest& d);

}  // namespace vigil::os::ipvs_attrs
