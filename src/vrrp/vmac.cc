#include "vrrp/vmac.h"

#include <cstdio>

namespace vigil::vrrp {
namespace {

constexpr size_t kIfNameSize = 16;  // the kernel's IFNAMSIZ, terminating NUL included

std::optional<std::array<uint8_t, 6>> ParseMac(const std::string& s) {
  std::array<uint8_t, 6> m{};
  unsigned v[6];
  char tail;
  if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                  &tail) != 6) {
    return std::nullopt;
  }
  for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
  return m;
}

}  // namespace

std::array<uint8_t, 6> VirtualMac(base::Family family, int vrid) {
  return {0x00,
          0x00,
          0x5e,
          0x00,
          static_cast<uint8_t>(family == base::Family::kIPv4 ? 1 : 2),
          static_cast<uint8_t>(vrid)};
}

std::string MacToString(const std::array<uint8_t, 6>& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                m[5]);
  return buf;
}

std::variant<std::nullopt_t, VmacPlan, std::string> PlanVmac(const model::VrrpInstanceConf& conf,
                                                             base::Family family,
                                                             const std::string& prefix) {
  const auto& t = *conf.tuning.operator->();
  if (!t.use_vmac && !t.use_ipvlan) return std::nullopt;
  VmacPlan p;
  p.name = (prefix.empty() ? std::string("vrrp") : prefix) + "." + std::to_string(conf.vrid);
  if (t.use_vmac) {
    // use_vmac [NAME] [MAC]: a word that reads as a MAC is the address, another the name.
    p.mac = VirtualMac(family, conf.vrid);
    p.xmit_base = t.vmac_xmit_base;
    bool named = false;
    for (size_t i = 0; i < t.use_vmac->size(); ++i) {
      const auto& w = (*t.use_vmac)[i];
      if (w == "netlink_notify_msg") continue;
      if (w == "group") {
        ++i;  // the interface group (not used)
        continue;
      }
      if (auto m = ParseMac(w)) {
        if ((*m)[0] & 1) return "use_vmac: " + w + " is a multicast address";
        p.mac = *m;
      } else if (!named) {
        p.name = w;
        named = true;
      } else {
        return "use_vmac: unexpected argument '" + w + "'";
      }
    }
  } else {
    // use_ipvlan [NAME] [ADDRESS/PREFIX] [bridge|private|vepa]
    p.kind = VmacPlan::Kind::kIpvlan;
    bool named = false;
    for (const auto& w : *t.use_ipvlan) {
      if (w == "bridge") {
        p.ipvlan_mode = VmacPlan::IpvlanMode::kBridge;
      } else if (w == "private") {
        p.ipvlan_mode = VmacPlan::IpvlanMode::kPrivate;
      } else if (w == "vepa") {
        p.ipvlan_mode = VmacPlan::IpvlanMode::kVepa;
      } else if (auto a = base::Prefix::Parse(w)) {
        p.ipvlan_address = *a;
      } else if (!named) {
        p.name = w;
        named = true;
      } else {
        return "use_ipvlan: unexpected argument '" + w + "'";
      }
    }
  }
  if (p.name.empty() || p.name.size() >= kIfNameSize || p.name.find('/') != std::string::npos ||
      p.name.find(' ') != std::string::npos) {
    return "'" + p.name + "' cannot be an interface name";
  }
  if (p.name == conf.interface) return "'" + p.name + "' is the instance's own interface";
  return p;
}

}  // namespace vigil::vrrp
