// keepalived's static_ipaddress, static_routes and static_rules: installed at start and
// removed on stop, whatever the instances' states. A static address with `track_group G`
// that disappears from the kernel (an operator's `ip address del`, a link driver resetting)
// puts the instances of track_group G in FAULT until it is back.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/kernel_specs.h"
#include "model/config.h"
#include "os/linux/netlink.h"

namespace vigil::daemon {

class StaticState {
 public:
  StaticState(const model::Config& config, const os::IfindexLookup& ifindex);
  const std::vector<std::string>& errors() const { return specs_.errors; }
  const KernelSpecs& specs() const { return specs_; }
  void Install(os::RtnlWriter& rtnl);
  void Remove(os::RtnlWriter& rtnl);
  // An address appeared or went; true if a tracked static address changed presence.
  bool AddressChanged(const os::LinkMonitor::AddressChange& c);
  // Why `instance` must be in FAULT ("" if it need not): a missing tracked static address.
  std::string FaultFor(const std::string& instance) const;

 private:
  struct Tracked {
    os::AddressSpec spec;
    std::string group;
    bool present = true;
  };
  KernelSpecs specs_;
  std::vector<Tracked> tracked_;
  std::map<std::string, std::set<std::string>> groups_;  // track_group -> instance names
};

}  // namespace vigil::daemon
