#include "config/config.h"
#include "config/lower_internal.h"

namespace vigil::config {

std::string Dump(const model::Config& c, bool mask) {
  Printer p;
  for (const auto& w : c.top_level) p.Line(Text(w));
  DumpGlobalDefs(c.global, p);
  DumpAddressBlock("static_ipaddress", c.static_ipaddress, p);
  DumpRouteBlock("static_routes", c.static_routes, p);
  DumpRouteBlock("static_rules", c.static_rules, p);
  auto dump_lines = [&](const char* kw, const model::ExtraOptions& v) {
    if (v.empty()) return;
    p.Open(kw);
    for (const auto& w : v) p.Line(Text(w));
    p.Close();
  };
  dump_lines("interface_up_down_delays", c.interface_up_down_delays);
  dump_lines("linkbeat_interfaces", c.linkbeat_interfaces);
  for (const auto& x : c.vrrp_scripts) DumpVrrpScript(x, p);
  for (const auto& x : c.track_processes) DumpTrackProcess(x, p);
  for (const auto& x : c.track_files) DumpTrackFile(x, p);
  for (const auto& x : c.track_groups) DumpTrackGroup(x, p);
  for (const auto& x : c.garp_groups) DumpGarpGroup(x, p);
  for (const auto& x : c.bfd_instances) DumpBfdInstance(x, p);
  for (const auto& x : c.vrrp_instances) DumpVrrpInstance(x, p, mask);
  for (const auto& x : c.sync_groups) DumpSyncGroup(x, p);
  if (c.ssl) DumpSsl(*c.ssl, p, mask);
  for (const auto& x : c.vs_groups) DumpVsGroup(x, p);
  for (const auto& x : c.virtual_servers) DumpVirtualServer(x, p);
  return p.Take();
}

}  // namespace vigil::config
