// The checker half of keepalived's SIGUSR1 data dump (keepalived_check.data, written by
// keepalived's checker process), rendered from the checker child's status document
// (docs/CONTROL.md, "virtual_servers") and the configuration:
//
//   ------< LVS Topology >------
//    ------< Virtual server >------
//    VS VIP = 192.0.2.10, VPORT = 80
//      delay_loop = 2.000000
//      ...
//      ------< Real server >------
//      RIP = 198.51.100.1, RPORT = 80, WEIGHT = 3 EFF WEIGHT = 3
//      ...
//   ------< Health checkers >------
//    [192.0.2.10]:tcp:80 -> [198.51.100.1]:tcp:80
//      Up = yes
//      ...
//
// in keepalived 2.2.7's layout and words (read from a 2.2.7 run on this machine): the
// section titles, one space before a section's items, three before their properties,
// "Key = value" lines, "%f" for seconds and microseconds for the checkers' intervals.
// keepalived's "Global definitions" section and the lines whose values Vigil does not keep
// (IPVS's compile-time version, "Hashed" internals, "RS set", "reloaded", "previous
// effective_weight", "Retries iterations", connection limits) are left out.
//
// Pure: the same inputs always give the same text. Each virtual server, real server and
// checker of the status is matched to its configuration by its "conf_index"; one without a
// match is rendered from the status alone. Any JSON value is accepted.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "model/config.h"

namespace vigil::control {

std::string KeepalivedCheckData(const nlohmann::json& checker_status, const model::Config& config);

// Where the checker child writes it: keepalived's /tmp/keepalived_check.data, or beside
// global_defs' state_dump_file with "_check" before its extension (/run/ka.data ->
// /run/ka_check.data).
std::string CheckDataPath(const std::string& state_dump_file);

}  // namespace vigil::control
