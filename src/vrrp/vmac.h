// keepalived's use_vmac / use_ipvlan, planned: which virtual link an instance asks for, its
// name and MAC (RFC 5798 §7.3), and where its adverts go. Pure; the daemon creates the link.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/ip.h"
#include "model/config.h"

namespace vigil::vrrp {

struct VmacPlan {
  enum class Kind { kMacvlan, kIpvlan };
  Kind kind = Kind::kMacvlan;
  std::string name;              // the interface to create
  std::array<uint8_t, 6> mac{};  // macvlan: 00:00:5e:00:01:VRID (IPv6 00:00:5e:00:02:VRID)
  bool xmit_base = false;        // vmac_xmit_base: adverts through the parent interface
  std::optional<base::Prefix> ipvlan_address;  // use_ipvlan's own address, if given
  enum class IpvlanMode { kBridge, kPrivate, kVepa };
  IpvlanMode ipvlan_mode = IpvlanMode::kBridge;
  bool operator==(const VmacPlan&) const = default;
};

// RFC 5798 §7.3: the virtual router MAC address for `vrid` in `family`.
std::array<uint8_t, 6> VirtualMac(base::Family family, int vrid);
std::string MacToString(const std::array<uint8_t, 6>& mac);

// The plan for `conf`, or nullopt if it uses neither use_vmac nor use_ipvlan. `prefix` is the
// global vmac_prefix ("vrrp" unless set): the default name is PREFIX.VRID. An argument that
// cannot be used gives an error naming it.
std::variant<std::nullopt_t, VmacPlan, std::string> PlanVmac(const model::VrrpInstanceConf& conf,
                                                             base::Family family,
                                                             const std::string& prefix);

}  // namespace vigil::vrrp
