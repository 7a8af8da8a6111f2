#include "lb/nft_render.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace vigil::lb {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A map value: ADDRESS . PORT (nftables' concatenation), or the address alone when the
// service's destinations keep the destination port.
std::string Target(const Destination& d, bool with_port) {
  return with_port ? d.address.ToString() + " . " + std::to_string(d.port) : d.address.ToString();
}

}  // namespace

std::string NftUnsupported(const Service& s) {
  static const std::set<std::string> kSupported = {"rr", "wrr", "sh"};
  if (!kSupported.count(s.scheduler)) {
    return "lb_algo " + s.scheduler +
           " has no nftables form (IPVS only); the nftables dataplane does rr, wrr and sh";
  }
  if (s.key.kind != model::VsKeyKind::kAddress) {
    return "a fwmark virtual server needs IPVS";
  }
  // What IPVS keeps per connection or per client has no form in a stateless DNAT map.
  if (s.persistence_timeout) return "persistence_timeout needs IPVS";
  if (!s.persistence_engine.empty()) return "persistence_engine needs IPVS";
  if (s.one_packet) return "ops (one-packet scheduling) needs IPVS";
  if (s.sched_flag1 || s.sched_flag2 || s.sched_flag3) {
    return "scheduler flags (sh-port, sh-fallback, flag-N) need IPVS";
  }
  for (const auto& d : s.destinations) {
    if (d.method != model::LvsMethod::kNat) {
      return "real server " + d.address.ToString() +
             ": lb_kind DR/TUN needs IPVS (the nftables dataplane does NAT)";
    }
    if (d.uthreshold || d.lthreshold) {
      return "real server " + d.address.ToString() + ": uthreshold/lthreshold need IPVS";
    }
    if (d.address.family() != s.key.address.family()) {
      return "real server " + d.address.ToString() + " is not of the virtual address's family";
    }
  }
  return "";
}

std::string RenderNft(const std::vector<Service>& services, const std::string& table) {
  const std::string t = "inet " + table;
  std::string out = "add table " + t + "\nflush table " + t + "\n";
  out += "add chain " + t +
         " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n";
  out += "add chain " + t + " output { type nat hook output priority -100; policy accept; }\n";
  for (const auto& s : services) {
    if (!NftUnsupported(s).empty()) continue;
    int total = 0;
    for (const auto& d : s.destinations) total += std::max(0, d.weight);
    if (total == 0) continue;  // nothing to send to: the service is absent
    bool with_port = std::all_of(s.destinations.begin(), s.destinations.end(),
                                 [](const Destination& d) { return d.port != 0; });
    std::string map;
    int at = 0;
    for (const auto& d : s.destinations) {
      if (d.weight <= 0) continue;
      if (!map.empty()) map += ", ";
      map += std::to_string(at) + "-" + std::to_string(at + d.weight - 1) + " : " +
             Target(d, with_port);
      at += d.weight;
    }
    bool v4 = s.key.address.is_v4();
    std::string proto = Lower(s.key.protocol);
    std::string match = std::string(v4 ? "ip" : "ip6") + " daddr " + s.key.address.ToString() +
                        " " + proto + " dport " + std::to_string(s.key.port);
    std::string pick = s.scheduler == "sh" ? std::string("jhash ") + (v4 ? "ip" : "ip6") +
                                                 " saddr mod " + std::to_string(total)
                                           : "numgen inc mod " + std::to_string(total);
    std::string rule =
        match + " dnat " + (v4 ? "ip" : "ip6") + " to " + pick + " map { " + map + " }";
    out += "add rule " + t + " prerouting " + rule + "\n";
    out += "add rule " + t + " output " + rule + "\n";
  }
  return out;
}

}  // namespace vigil::lb
