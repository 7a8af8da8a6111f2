#include "daemon/static_state.h"

#include <spdlog/spdlog.h>

namespace vigil::daemon {

StaticState::StaticState(const model::Config& config, const os::IfindexLookup& ifindex) {
  for (const auto& a : config.static_ipaddress) {
    if (a.dev.empty()) {
      specs_.errors.push_back("static_ipaddress " + a.address.ToString() + ": no dev given");
      continue;
    }
    int idx = ifindex(a.dev);
    if (idx == 0) {
      specs_.errors.push_back("static_ipaddress " + a.address.ToString() + ": no interface '" +
                              a.dev + "'");
      continue;
    }
    specs_.addresses.push_back(ToAddressSpec(a, idx));
    if (!a.opt->track_group.empty()) {
      tracked_.push_back({specs_.addresses.back(), a.opt->track_group, true});
    }
  }
  AddRouteLines(config.static_routes, ifindex, "static_routes", specs_);
  AddRuleLines(config.static_rules, "static_rules", specs_);
  for (const auto& g : config.track_groups) {
    groups_[g.name].insert(g.members.begin(), g.members.end());
  }
}

void StaticState::Install(os::RtnlWriter& rtnl) {
  std::string err;
  for (const auto& a : specs_.addresses) {
    if (!rtnl.AddAddress(a, &err)) spdlog::error("static_ipaddress: {}", err);
  }
  for (const auto& r : specs_.routes) {
    if (!rtnl.AddRoute(r, &err)) spdlog::error("static_routes: {}", err);
  }
  for (const auto& r : specs_.rules) {
    if (!rtnl.AddRule(r, &err)) spdlog::error("static_rules: {}", err);
  }
}

void StaticState::Remove(os::RtnlWriter& rtnl) {
  std::string err;
  for (const auto& r : specs_.rules) {
    if (!rtnl.DeleteRule(r, &err)) spdlog::warn("static_rules: {}", err);
  }
  for (const auto& r : specs_.routes) {
    if (!rtnl.DeleteRoute(r, &err)) spdlog::warn("static_routes: {}", err);
  }
  for (const auto& a : specs_.addresses) {
    if (!rtnl.DeleteAddress(a, &err)) spdlog::warn("static_ipaddress: {}", err);
  }
}

bool StaticState::AddressChanged(const os::LinkMonitor::AddressChange& c) {
  bool changed = false;
  for (auto& t : tracked_) {
    if (t.spec.ifindex != c.ifindex || t.spec.prefix.address != c.prefix.address) continue;
    if (t.present == c.added) continue;
    t.present = c.added;
    changed = true;
    spdlog::info("static address {} {} (track_group {})", t.spec.prefix.ToString(),
                 c.added ? "restored" : "deleted", t.group);
  }
  return changed;
}

std::string StaticState::FaultFor(const std::string& instance) const {
  for (const auto& t : tracked_) {
    if (t.present) continue;
    auto g = groups_.find(t.group);
    if (g != groups_.end() && g->second.count(instance)) {
      return "static address " + t.spec.prefix.ToString() + " deleted (track_group " + t.group +
             ")";
    }
  }
  return "";
}

}  // namespace vigil::daemon
