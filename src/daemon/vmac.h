// The VMAC and ipvlan links of the running instances (keepalived's use_vmac / use_ipvlan):
// created at start with the sysctls keepalived sets, and removed on stop with the parent
// interfaces' sysctls put back as they were.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/ip.h"
#include "os/linux/netlink.h"
#include "vrrp/vmac.h"

namespace vigil::daemon {

class VmacLinks {
 public:
  // Creates the link `plan` describes on `parent` (named `parent_name`) and returns what it is
  // now. An instance whose plan equals one already made shares that link; a name already made
  // for another plan gets a numbered suffix. A leftover VMAC of the same name on the same
  // parent (a crashed run's) is replaced; any other interface of that name is an error.
  std::optional<os::InterfaceInfo> Create(os::RtnlWriter& rtnl, vrrp::VmacPlan plan,
                                          const std::string& parent_name,
                                          const os::InterfaceInfo& parent, base::Family family,
                                          std::string* error);
  // The name the link of the last successful Create got.
  const std::string& last_name() const { return last_name_; }
  // Removes every link made here and restores the parents' sysctls.
  void RemoveAll(os::RtnlWriter& rtnl);
  // After a reload handed these links to a new engine: removes those its instances did not
  // ask for again (Create() since BeginReuse()), with the addresses on them.
  void BeginReuse() { used_.clear(); }
  void RemoveUnused(os::RtnlWriter& rtnl);

 private:
  struct Made {
    vrrp::VmacPlan plan;
    int parent = 0;
    int ifindex = 0;
    os::InterfaceInfo info;
  };
  std::map<std::string, Made> made_;  // by name
  std::set<std::string> used_;        // names Create() returned (RemoveUnused keeps them)
  std::map<std::string, std::map<std::string, std::string>> saved_;  // parent -> key -> value
  std::string last_name_;
};

}  // namespace vigil::daemon
