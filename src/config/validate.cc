// Cross-reference and semantic checks that need the whole model.
#include <map>
#include <set>
#include <tuple>

#include "config/config.h"

namespace vigil::config {
namespace {

using model::Config;
using model::TrackRef;
using model::VrrpInstanceConf;

template <class C>
std::set<std::string> Names(const C& v) {
  std::set<std::string> s;
  for (const auto& x : v) s.insert(x.name);
  return s;
}

// The address family of an instance: that of its first VIP, else of its source/peer
// addresses, else IPv4.
base::Family FamilyOf(const VrrpInstanceConf& i) {
  if (!i.vips.empty()) return i.vips[0].address.address.family();
  if (i.unicast_src_ip) return i.unicast_src_ip->family();
  if (i.mcast_src_ip) return i.mcast_src_ip->family();
  if (!i.unicast_peers.empty()) return i.unicast_peers[0].address.family();
  return base::Family::kIPv4;
}

struct Checker {
  const Config& c;
  const LoadOptions& opt;
  base::Diagnostics& d;
  std::set<std::string> scripts = Names(c.vrrp_scripts);
  std::set<std::string> files = Names(c.track_files);
  std::set<std::string> processes = Names(c.track_processes);
  std::set<std::string> bfds = Names(c.bfd_instances);
  std::set<std::string> instances = Names(c.vrrp_instances);

  void Interface(const base::SourceLoc& loc, const std::string& name, const std::string& what) {
    if (opt.interface_exists && !name.empty() && !opt.interface_exists(name)) {
      d.Warn(loc, "interface " + name + " for " + what + " doesn't exist");
    }
  }

  void TrackLists(const std::string& owner, const model::TrackLists& t) {
    auto check = [&](const std::vector<TrackRef>& refs, const std::set<std::string>& known,
                     const char* kind) {
      for (const auto& r : refs) {
        if (!known.count(r.name)) {
          d.Warn(r.loc, "(" + owner + ") " + kind + " " + r.name + " not found, ignoring");
        }
      }
    };
    check(t.scripts, scripts, "track script");
    check(t.files, files, "track file");
    check(t.processes, processes, "track process");
    check(t.bfds, bfds, "track bfd");
    for (const auto& r : t.interfaces) Interface(r.loc, r.name, "track_interface of " + owner);
  }

  const VrrpInstanceConf* FindInstance(const std::string& name) const {
    for (const auto& i : c.vrrp_instances) {
      if (i.name == name) return &i;
    }
    return nullptr;
  }

  static const base::SourceLoc& AdvertLoc(const VrrpInstanceConf& i) {
    return i.advert_int_loc.file ? i.advert_int_loc : i.loc;
  }

  void Instance(const VrrpInstanceConf& i) {
    const std::string& n = i.name;
    TrackLists(n, i.track);
    for (const auto& r : i.track.interfaces) {
      if (r.name == i.interface) {
        d.Warn(r.loc, "(" + n + ") ignoring track_interface " + r.name + " since own interface");
      }
    }
    Interface(i.interface_loc, i.interface, "vrrp_instance " + n);
    if (opt.interface_is_loopback && !i.interface.empty() &&
        opt.interface_is_loopback(i.interface)) {
      d.Warn(i.interface_loc,
             "(" + n + ") cannot use a loopback interface (" + i.interface + ") for VRRP");
    }
    base::Family fam = FamilyOf(i);
    const model::VrrpInstanceTuning& tu = i.tuning.get();
    if (i.unicast_peers.empty()) {
      // keepalived: unicast settings without peers fall back to multicast, with a warning.
      if (tu.unicast_ttl) d.Warn(i.loc, "(" + n + ") cannot use unicast_ttl without unicast peers");
      const char* unicast_kw = i.unicast_src_ip          ? "unicast_src_ip"
                               : tu.check_unicast_src    ? "check_unicast_src"
                               : tu.old_unicast_checksum ? "old_unicast_checksum"
                                                         : nullptr;
      if (unicast_kw) {
        d.Warn(i.loc,
               "(" + n + ") " + unicast_kw + " is set without any unicast_peer; using multicast");
      }
    }
    if (tu.native_ipv6 && fam == base::Family::kIPv4) {
      d.Warn(i.loc, "(" + n + ") cannot specify native_ipv6 with IPv4 addresses");
    }
    if (!tu.vrf.empty()) {
      if (!i.interface.empty()) {
        d.Warn(i.loc, "(" + n + ") cannot specify both vrf and interface; vrf ignored");
      } else {
        Interface(i.loc, tu.vrf, "vrf of vrrp_instance " + n);
      }
    }
    for (const auto& v : i.vips) {
      if (!v.dev.empty()) Interface(v.loc, v.dev, "VIP " + v.address.ToString());
    }
    if (i.unicast_src_ip && i.unicast_src_ip->family() != fam) {
      d.Error(i.loc, "(" + n + ") unicast_src_ip is not of the instance's address family");
    }
    if (fam == base::Family::kIPv6 && i.version == 2) {
      d.Error(i.loc, "(" + n +
                         ") VRRP version 2 cannot carry IPv6 addresses (RFC 3768); "
                         "use version 3");
    }
    // vrrp_strict (or the instance's strict_mode): keepalived's warnings for what it resets.
    if (i.tuning->strict_mode.value_or(c.global.vrrp_strict)) {
      if (i.auth_type != model::AuthType::kNone) {
        d.Warn(i.loc, "(" + n + ") Strict mode does not support authentication. Ignoring.");
      }
      if (i.preempt_delay && i.preempt_delay->count() > 0) {
        d.Warn(i.loc, "(" + n + ") preempt_delay is incompatible with strict mode - resetting");
      }
      if (i.tuning->vmac_xmit_base) {
        d.Warn(i.loc, "(" + n + ") xmit_base is incompatible with strict mode - resetting");
      }
      if (i.accept && i.version == 2) {
        d.Warn(i.loc, "(" + n +
                          ") warning - accept mode for VRRP version 2 does not comply with "
                          "RFC3768 - resetting");
      }
    }
    if (i.vips.empty() && !i.no_virtual_ipaddress) {
      d.Warn(i.loc, "(" + n + ") no VIP specified; at least one is sensible");
    }
    using std::chrono::microseconds;
    if (i.version == 2) {
      if (i.advert_int.count() % 1'000'000 != 0 || i.advert_int < std::chrono::seconds(1) ||
          i.advert_int > model::defaults::kMaxAdvertIntV2) {
        d.Warn(AdvertLoc(i), "(" + n + ") VRRPv2 advert_int " + base::FormatSeconds(i.advert_int) +
                                 "s must be a whole number of seconds in [1, 255]");
      }
    } else if (i.advert_int.count() % 10'000 != 0 || i.advert_int < microseconds(10'000) ||
               i.advert_int > model::defaults::kMaxAdvertIntV3) {
      d.Warn(AdvertLoc(i), "(" + n + ") VRRPv3 advert_int " + base::FormatSeconds(i.advert_int) +
                               "s must be in centiseconds within [0.01, 40.95]");
    }
    if (i.auth_type != model::AuthType::kNone && i.version == 3) {
      d.Warn(i.loc, "(" + n + ") authentication is not supported with VRRPv3; ignored");
    }
  }

  // RFC 5798 §5.2.3 / keepalived: one VRID per interface and family, unless the instances'
  // adverts cannot meet (different multicast groups or disjoint unicast peers).
  void VridUniqueness() {
    std::map<std::tuple<std::string, int, base::Family>, const VrrpInstanceConf*> seen;
    for (const auto& i : c.vrrp_instances) {
      if (i.vrid == 0) continue;
      auto key = std::make_tuple(i.interface, i.vrid, FamilyOf(i));
      auto [it, fresh] = seen.emplace(key, &i);
      if (fresh) continue;
      const VrrpInstanceConf& o = *it->second;
      if (i.tuning->mcast_dst_ip != o.tuning->mcast_dst_ip && i.unicast_peers.empty() &&
          o.unicast_peers.empty()) {
        continue;
      }
      bool overlap = i.unicast_peers.empty() != o.unicast_peers.empty();
      if (!i.unicast_peers.empty() && !o.unicast_peers.empty()) {
        for (const auto& a : i.unicast_peers) {
          for (const auto& b : o.unicast_peers) overlap = overlap || a.address == b.address;
        }
      } else if (i.unicast_peers.empty() && o.unicast_peers.empty()) {
        overlap = true;
      }
      if (overlap) {
        d.Error(i.loc, o.name + " and " + i.name + " both use VRID " + std::to_string(i.vrid) +
                           " with " + (FamilyOf(i) == base::Family::kIPv4 ? "IPv4" : "IPv6") +
                           " on interface " + i.interface);
      }
    }
  }

  void SyncGroups() {
    std::map<std::string, std::string> member_of;
    for (const auto& g : c.sync_groups) {
      TrackLists(g.name, g.track);
      for (const auto& m : g.members) {
        if (const auto* inst = FindInstance(m)) {
          for (const auto& t : g.track.interfaces) {
            bool own = inst->interface == t.name && !inst->dont_track_primary;
            bool listed = false;
            for (const auto& r : inst->track.interfaces) listed = listed || r.name == t.name;
            if (own || listed) {
              d.Warn(g.loc, "(" + m + ") track_interface " + t.name +
                                " is configured on the VRRP instance and on sync group " + g.name);
            }
          }
        }
        if (!instances.count(m)) {
          d.Error(g.loc, "vrrp_sync_group " + g.name + ": member " + m + " is not a vrrp_instance");
          continue;
        }
        auto [it, fresh] = member_of.emplace(m, g.name);
        if (!fresh) {
          d.Error(g.loc, "vrrp_instance " + m + " is already in sync group " + it->second);
        }
      }
      if (g.members.size() == 1) {
        d.Note(g.loc, "vrrp_sync_group " + g.name + " has only one member");
      }
    }
  }

  void Lvs() {
    std::set<std::string> groups = Names(c.vs_groups);
    for (const auto& vs : c.virtual_servers) {
      if (vs.key_kind == model::VsKeyKind::kGroup && !groups.count(vs.group)) {
        d.Error(vs.loc, "virtual_server group " + vs.group + " is not defined");
      }
      bool fwmark = vs.key_kind == model::VsKeyKind::kFwmark;
      if (vs.key_kind == model::VsKeyKind::kGroup) {
        for (const auto& g : c.vs_groups) {
          if (g.name != vs.group) continue;
          for (const auto& e : g.entries) fwmark = fwmark || e.fwmark.has_value();
        }
      }
      int64_t total_weight = 0;
      for (const auto& rs : vs.real_servers) total_weight += rs.weight;
      if (!vs.real_servers.empty() && vs.quorum > total_weight) {
        d.Warn(vs.loc, "quorum " + std::to_string(vs.quorum) +
                           " exceeds the total weight of the real servers (" +
                           std::to_string(total_weight) + ")");
      }
      for (const auto& rs : vs.real_servers) {
        if (fwmark && rs.port) {
          d.Warn(rs.loc, "fwmark virtual server: real server " + rs.address.ToString() +
                             " has a port, which is ignored");
        }
        for (const auto& ch : rs.checkers) {
          const model::CheckerDetails& det = ch.details.get();
          if (ch.kind == model::CheckerKind::kFile && !det.track_file.empty() &&
              !files.count(det.track_file)) {
            d.Warn(ch.loc, "FILE_CHECK track_file " + det.track_file + " not found");
          }
          if (ch.kind == model::CheckerKind::kBfd && !det.bfd_name.empty() &&
              !bfds.count(det.bfd_name)) {
            d.Warn(ch.loc, "BFD_CHECK " + det.bfd_name + " is not a bfd_instance");
          }
          if (!ch.common.bind_if.empty()) Interface(ch.loc, ch.common.bind_if, "bind_if");
        }
      }
    }
  }

  void Duplicates() {
    auto dup = [&](const auto& v, const char* what) {
      std::set<std::string> s;
      for (const auto& x : v) {
        if (!x.name.empty() && !s.insert(x.name).second) {
          d.Error(x.loc, std::string(what) + " " + x.name + " is defined twice");
        }
      }
    };
    dup(c.vrrp_instances, "vrrp_instance");
    dup(c.vrrp_scripts, "vrrp_script");
    dup(c.sync_groups, "vrrp_sync_group");
    dup(c.track_files, "track_file");
    dup(c.track_processes, "vrrp_track_process");
    dup(c.bfd_instances, "bfd_instance");
  }

  void ScriptSecurity() {
    if (c.HasScripts() && !c.global.enable_script_security) {
      d.Add(base::Severity::kWarning, base::SourceLoc{},
            "SECURITY VIOLATION - scripts are configured but enable_script_security is not set",
            base::DiagKind::kScriptSecurity);
    }
  }
};

}  // namespace

void Validate(const model::Config& config, const LoadOptions& options, base::Diagnostics& diags) {
  Checker ch{config, options, diags};
  ch.Duplicates();
  for (const auto& i : config.vrrp_instances) ch.Instance(i);
  ch.VridUniqueness();
  ch.SyncGroups();
  ch.Lvs();
  ch.ScriptSecurity();
}

int ConfigTestExitCode(const base::Diagnostics& diags) {
  if (diags.HasAtLeast(base::Severity::kFatal)) return 4;
  bool errors = false;
  for (const auto& d : diags.all()) {
    if (d.severity >= base::Severity::kWarning && d.kind == base::DiagKind::kGeneral) {
      errors = true;
    }
  }
  if (errors) return 5;
  if (diags.HasKind(base::DiagKind::kScriptSecurity)) return 6;
  return 0;
}

LoadResult Load(const std::string& path, ports::FileSource& files, const LoadOptions& options) {
  LoadResult r;
  Lowerer lowerer(r.diags);
  TreeBuilder tree(r.diags, [&lowerer](Node&& n) { lowerer.Add(n); });
  Preprocess(path, files, options.preprocess, r.diags, [&tree](LogicalLine&& l) { tree.Feed(l); });
  if (r.diags.HasAtLeast(base::Severity::kFatal)) return r;
  tree.Finish();
  r.config = lowerer.Finish();
  Validate(r.config, options, r.diags);
  return r;
}

}  // namespace vigil::config
