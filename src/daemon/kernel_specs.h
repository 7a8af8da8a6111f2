// From configuration values to what the kernel is asked for: the address, route and rule
// specifications of a VRRP instance. Pure (interface names are resolved by the caller's
// lookup), so unit tests cover it.
#pragma once

#include <string>
#include <vector>

#include "model/config.h"
#include "os/linux/netlink.h"
#include "os/linux/routes.h"

namespace vigil::daemon {

// One virtual_ipaddress line. `ifindex` is the interface it goes on (its `dev`, or the
// instance's interface).
os::AddressSpec ToAddressSpec(const model::IpAddressConf& a, int ifindex);

struct KernelSpecs {
  std::vector<os::AddressSpec> addresses;  // virtual_ipaddress, then _excluded
  std::vector<os::RouteSpec> routes;
  std::vector<os::RuleSpec> rules;
  std::vector<std::string> errors;  // lines that could not be used, with the reason
};

// Route and rule lines (virtual_routes / static_routes, ...) into `out`; a line that cannot
// be used goes to out.errors prefixed with `what`. keepalived's `track_group G` words (static
// lines) are not iproute2's and are left out.
void AddRouteLines(const std::vector<model::RouteConf>& lines, const os::IfindexLookup& ifindex,
                   const std::string& what, KernelSpecs& out);
void AddRuleLines(const std::vector<model::RouteConf>& lines, const std::string& what,
                  KernelSpecs& out);

// Everything an instance installs as master. `instance_ifindex` is its interface.
KernelSpecs SpecsFor(const model::VrrpInstanceConf& conf, int instance_ifindex,
                     const os::IfindexLookup& ifindex);

}  // namespace vigil::daemon
