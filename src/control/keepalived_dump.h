// keepalived's dump files, rendered from the VRRP child's status document (docs/CONTROL.md)
// and the configuration, so that tools written for keepalived read Vigil's unchanged:
//
//   KeepalivedData   SIGUSR1 (DATA), /tmp/keepalived.data: the "VRRP Topology", "VRRP Sync
//                    groups" and "VRRP Scripts" sections in keepalived 2.2.7's layout (one
//                    space before a section's item, three before its properties, five before
//                    list entries, "Key = value" lines)
//   KeepalivedStats  SIGUSR2 (STATS), /tmp/keepalived.stats: every VRRP counter keepalived
//                    prints, in its order and indentation ("VRRP Instance: X",
//                    "  Advertisements:", "    Received: 11", ...)
//   KeepalivedJson   SIGRTMIN+2 (JSON), /tmp/keepalived.json: keepalived's field names and
//                    value encodings (states 0 INIT 1 BACKUP 2 MASTER 3 FAULT, times in
//                    seconds printed as C's %g, auth_data "********", empty lists left out);
//                    global_defs json_version 1 (a top-level array of {"data", "stats"}) or 2
//                    ({"vrrp": [...], "track_process": [...]})
//
// mehdy/keepalived-exporter parses the two text files line by line (instance, "State",
// "Wantstate", "Interface", "Gratuitous ARP delay", "Virtual Router ID", the address lines
// under "Virtual IP (N):", a script's "Status" and "State"; the counters by section) and
// decodes the JSON into structs with integer fields; the unit test mirrors its parsers.
//
// What the dumps say comes from the status document where it has it (state, priorities,
// intervals, counters, tracking, and the settings the VRRP engine resolved: src_ip, accept,
// strict_mode, garp_*, ...) and from the configuration otherwise (addresses with their
// options, notify scripts, vrrp_script settings). An instance of the status document without
// a vrrp_instance of that name in `config` is still rendered from the status alone. keepalived
// lines whose values Vigil does not have (file descriptors, the read timeout, uid:gid of
// scripts, the Master's address) are left out; "Last transition" and "Master priority" are
// printed only when the status carries "last_transition" (seconds since the epoch) and
// "master_priority". Times are printed in UTC, where keepalived uses local time.
//
// All three are pure: no clock, no files; the same inputs always give the same text. Any
// JSON value is accepted; members missing or of another type take their defaults.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "model/config.h"

namespace vigil::control {

// The text keepalived writes to keepalived.data on SIGUSR1 (its VRRP part).
std::string KeepalivedData(const nlohmann::json& vrrp_status, const model::Config& config);

// The text keepalived writes to keepalived.stats on SIGUSR2: one block per instance of the
// status document, in its order.
std::string KeepalivedStats(const nlohmann::json& vrrp_status);

// The document keepalived writes to keepalived.json on SIGRTMIN+2 (compact, one line, ending
// in a newline), in the layout config.global.json_version asks for.
std::string KeepalivedJson(const nlohmann::json& vrrp_status, const model::Config& config);

}  // namespace vigil::control
