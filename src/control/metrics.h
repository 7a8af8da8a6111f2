// Prometheus metrics from the status document (docs/CONTROL.md), in the text exposition
// format 0.0.4: one "# HELP" and one "# TYPE" line per metric family, then its samples.
//
// The keepalived_* families carry the names, labels and values mehdy/keepalived-exporter
// gives them, so dashboards and alerts written for keepalived keep working:
//
//   keepalived_up                                  1 when a child reported instances or
//                                                  virtual servers, else 0 (always present)
//   keepalived_vrrp_state {iname,intf,vrid,ip_address}
//                                                  0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT; one
//                                                  series per VIP (ip_address as keepalived
//                                                  prints it, with its prefix length), one
//                                                  with ip_address="" for an instance
//                                                  without VIPs
//   keepalived_<counter>_total {iname,intf,vrid}   the VRRP counters (see kVrrpCounters in
//                                                  metrics.cc for the mapping from "stats")
//   keepalived_script_status {name}                0 BAD, 1 GOOD; one series per vrrp_script
//
// "intf" is the interface the instance runs on: its VMAC/ipvlan link when it made one (as
// keepalived's dump names it), else the configured interface.
//
// Vigil's own families are named vigil_*:
//
//   vigil_vrrp_effective_priority {iname,intf,vrid}
//   vigil_real_server_up, vigil_real_server_weight {virtual_server,address,port}
//   vigil_checker_checks_total, vigil_checker_failures_total
//                                   {virtual_server,address,port,type}
//   vigil_checker_failures_by_reason_total {virtual_server,address,port,type,reason}
//   vigil_virtual_server_quorum (1 while the quorum is met), vigil_virtual_server_live_weight
//                                   {virtual_server}
//   vigil_dataplane_applies_total, vigil_dataplane_apply_failures_total {dataplane}
//   vigil_process_running {role}, vigil_process_restarts_total {role}
//
// A member missing from the document (a child being restarted, a field of another version)
// gives no series; a family without series is left out. Two samples of one family with the
// same labels (two checkers of one type on one real server) are summed for counters; for
// gauges the first is kept.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace vigil::control {

// The exposition of `status`, a status document as vigild's control socket serves it (any
// JSON value is accepted; what does not have the documented shape is skipped). Pure: the same
// document always gives the same text, families and series in the document's order. Label
// values are escaped (\\, \", \n) and invalid UTF-8 is replaced by U+FFFD.
std::string RenderMetrics(const nlohmann::json& status);

}  // namespace vigil::control
