// Routes and policy rules as the kernel takes them, parsed from keepalived's `ip route` /
// `ip rule` style lines (virtual_routes, virtual_rules). Parsing is pure; the netlink
// messages are sent by RtnlWriter (netlink.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

// Resolves an interface name to its index (0: no such interface).
using IfindexLookup = std::function<int(const std::string&)>;

inline constexpr uint8_t kRtprotKeepalived = 18;  // "proto keepalived" in iproute2

struct RouteSpec {
  base::Family family = base::Family::kIPv4;
  base::Prefix destination;
  std::optional<base::IpAddress> gateway;  // via / gw
  std::optional<base::IpAddress> source;   // src (preferred source)
  int oif = 0;                             // dev
  uint32_t table = 254;                    // main
  std::optional<uint32_t> metric;          // metric / priority / preference
  uint8_t type = 1;                        // RTN_UNICAST
  std::optional<uint8_t> scope;            // otherwise chosen as `ip route` does
  uint8_t protocol = kRtprotKeepalived;
  bool onlink = false;
  bool operator==(const RouteSpec&) const = default;
};

struct RuleSpec {
  base::Family family = base::Family::kIPv4;
  std::optional<base::Prefix> from, to;
  uint32_t table = 254;
  std::optional<uint32_t> priority;  // priority / preference / order
  std::string iif, oif;
  std::optional<uint32_t> fwmark, fwmask;
  uint8_t tos = 0;
  bool invert = false;  // "not"
  bool operator==(const RuleSpec&) const = default;
};

// Parses a virtual_routes line. Errors name the word that could not be used.
std::variant<RouteSpec, std::string> ParseRoute(const std::vector<std::string>& words,
                                                const IfindexLookup& ifindex);

// Parses a virtual_rules line.
std::variant<RuleSpec, std::string> ParseRule(const std::vector<std::string>& words);

}  // namespace vigil::os
