#include "daemon/vmac.h"

#include <spdlog/spdlog.h>

#include "os/linux/sysctl.h"

namespace vigil::daemon {
namespace {

constexpr uint8_t kAddrGenModeNone = 1;  // IN6_ADDR_GEN_MODE_NONE
constexpr uint8_t kRtScopeLink = 253;

// keepalived's settings: the parent no longer answers ARP for addresses it does not hold
// (the VIPs live on the VMAC), and the VMAC answers only for its own, accepts adverts
// whatever their source and does not filter by reverse path. Vigil adds arp_announce=2 on
// the parent: a Master's replies to a client leave through the parent, and without it the
// kernel's ARP requests for the client would name the VIP as sender with the parent's MAC,
// teaching the LAN the wrong MAC for the VIP.
constexpr std::pair<const char*, const char*> kParentSysctls[] = {
    {"arp_ignore", "1"}, {"arp_filter", "1"}, {"arp_announce", "2"}};
constexpr std::pair<const char*, const char*> kVmacSysctls[] = {
    {"arp_ignore", "1"}, {"arp_filter", "0"}, {"accept_local", "1"}, {"rp_filter", "0"}};

bool SamePlace(const vrrp::VmacPlan& a, int parent_a, const vrrp::VmacPlan& b, int parent_b) {
  return parent_a == parent_b && a.kind == b.kind && a.mac == b.mac &&
         a.ipvlan_mode == b.ipvlan_mode && a.ipvlan_address == b.ipvlan_address;
}

}  // namespace

std::optional<os::InterfaceInfo> VmacLinks::Create(os::RtnlWriter& rtnl, vrrp::VmacPlan plan,
                                                   const std::string& parent_name,
                                                   const os::InterfaceInfo& parent,
                                                   base::Family family, std::string* error) {
  std::string base_name = plan.name;
  for (int n = 1;; ++n) {
    auto it = made_.find(plan.name);
    if (it == made_.end()) break;
    if (SamePlace(it->second.plan, it->second.parent, plan, parent.ifindex)) {
      last_name_ = plan.name;
      used_.insert(plan.name);
      return it->second.info;
    }
    plan.name = base_name + "." + std::to_string(n);
  }
  bool macvlan = plan.kind == vrrp::VmacPlan::Kind::kMacvlan;
  if (auto old = rtnl.GetLink(plan.name)) {
    if ((old->kind != "macvlan" && old->kind != "ipvlan") || old->parent != parent.ifindex) {
      *error = "interface " + plan.name + " exists and is not a VMAC of " + parent_name;
      return std::nullopt;
    }
    spdlog::info("removing {} left over from an earlier run", plan.name);
    if (!rtnl.DeleteLink(old->ifindex, error)) return std::nullopt;
  }
  os::LinkSpec spec;
  spec.kind = macvlan ? os::LinkSpec::Kind::kMacvlan : os::LinkSpec::Kind::kIpvlan;
  spec.name = plan.name;
  spec.parent = parent.ifindex;
  spec.mac.assign(plan.mac.begin(), plan.mac.end());
  spec.ipvlan_flags = plan.ipvlan_mode == vrrp::VmacPlan::IpvlanMode::kPrivate ? 1
                      : plan.ipvlan_mode == vrrp::VmacPlan::IpvlanMode::kVepa  ? 2
                                                                               : 0;
  if (!rtnl.AddLink(spec, error)) return std::nullopt;
  auto link = rtnl.GetLink(plan.name);
  if (!link) {
    *error = "interface " + plan.name + " vanished after it was created";
    return std::nullopt;
  }
  Made m{plan, parent.ifindex, link->ifindex, {}};
  made_[plan.name] = m;  // removed on stop even if the rest fails
  used_.insert(plan.name);
  std::string err;
  // RFC 5798 §7.4: no interface identifier from the virtual MAC (every router would get the
  // same link-local address). Only possible while the link is down.
  if (!rtnl.SetAddrGenMode(link->ifindex, kAddrGenModeNone, &err)) {
    spdlog::debug("{}: {}", plan.name, err);
  }
  if (macvlan) {
    auto& saved = saved_[parent_name];
    for (const auto& [key, value] : kParentSysctls) {
      if (!saved.count(key)) {
        if (auto v = os::ReadInterfaceSysctl("ipv4", parent_name, key)) saved[key] = *v;
      }
      if (!os::WriteInterfaceSysctl("ipv4", parent_name, key, value, &err)) spdlog::warn("{}", err);
    }
    for (const auto& [key, value] : kVmacSysctls) {
      if (!os::WriteInterfaceSysctl("ipv4", plan.name, key, value, &err)) spdlog::warn("{}", err);
    }
  }
  if (!rtnl.SetLinkUp(link->ifindex, true, error)) return std::nullopt;
  if (family == base::Family::kIPv6 && parent.link_local_v6) {
    // keepalived's choice: the VMAC carries its parent's link-local address, so that adverts
    // leave through the VMAC from the same source as without one.
    os::AddressSpec ll;
    ll.prefix = base::Prefix{*parent.link_local_v6, 64};
    ll.ifindex = link->ifindex;
    ll.scope = kRtScopeLink;
    if (!rtnl.AddAddress(ll, error)) return std::nullopt;
  }
  if (plan.ipvlan_address) {
    os::AddressSpec a;
    a.prefix = *plan.ipvlan_address;
    a.ifindex = link->ifindex;
    if (!rtnl.AddAddress(a, error)) return std::nullopt;
  }
  auto info = os::LookupInterface(plan.name);
  if (!info) {
    *error = "interface " + plan.name + " vanished after it was created";
    return std::nullopt;
  }
  made_[plan.name].info = *info;
  last_name_ = plan.name;
  spdlog::info("created {} {} on {}{}", macvlan ? "VMAC" : "ipvlan", plan.name, parent_name,
               macvlan ? " with " + vrrp::MacToString(plan.mac) : std::string());
  return info;
}

void VmacLinks::RemoveUnused(os::RtnlWriter& rtnl) {
  for (auto it = made_.begin(); it != made_.end();) {
    if (used_.count(it->first)) {
      ++it;
      continue;
    }
    std::string err;
    if (!rtnl.DeleteLink(it->second.ifindex, &err)) spdlog::warn("{}: {}", it->first, err);
    spdlog::info("reload: {} removed", it->first);
    it = made_.erase(it);
  }
}

void VmacLinks::RemoveAll(os::RtnlWriter& rtnl) {
  for (const auto& [name, m] : made_) {
    std::string err;
    if (!rtnl.DeleteLink(m.ifindex, &err)) spdlog::warn("{}: {}", name, err);
  }
  made_.clear();
  for (const auto& [parent, keys] : saved_) {
    for (const auto& [key, value] : keys) {
      std::string err;
      if (!os::WriteInterfaceSysctl("ipv4", parent, key, value, &err)) spdlog::warn("{}", err);
    }
  }
  saved_.clear();
}

}  // namespace vigil::daemon
