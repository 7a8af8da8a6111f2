#include "config/config.h"
#include "config/lower_internal.h"
#include "config/tree.h"

namespace vigil::config {

Lowerer::Lowerer(base::Diagnostics& diags) : diags_(diags) {}

void Lowerer::Add(const Node& n) {
  Ctx ctx{diags_};
  model::Config& cfg = cfg_;
  base::Diagnostics& diags = diags_;
  {
    const std::string& kw = n.keyword();
    if (kw == "global_defs") {
      LowerGlobalDefs(n, cfg.global, ctx);
    } else if (kw == "vrrp_instance") {
      cfg.vrrp_instances.push_back(LowerVrrpInstance(n, ctx));
    } else if (kw == "vrrp_sync_group") {
      cfg.sync_groups.push_back(LowerSyncGroup(n, ctx));
    } else if (kw == "vrrp_script") {
      cfg.vrrp_scripts.push_back(LowerVrrpScript(n, ctx));
    } else if (kw == "vrrp_track_process") {
      cfg.track_processes.push_back(LowerTrackProcess(n, ctx));
    } else if (kw == "track_file" || kw == "vrrp_track_file") {
      cfg.track_files.push_back(LowerTrackFile(n, ctx));
    } else if (kw == "track_group") {
      cfg.track_groups.push_back(LowerTrackGroup(n, ctx));
    } else if (kw == "garp_group") {
      cfg.garp_groups.push_back(LowerGarpGroup(n, ctx));
    } else if (kw == "bfd_instance") {
      cfg.bfd_instances.push_back(LowerBfdInstance(n, ctx));
    } else if (kw == "static_ipaddress") {
      LowerAddressBlock(n, cfg.static_ipaddress, true, ctx);
    } else if (kw == "static_routes") {
      LowerRouteBlock(n, cfg.static_routes, false, ctx);
    } else if (kw == "static_rules") {
      LowerRouteBlock(n, cfg.static_rules, true, ctx);
    } else if (kw == "virtual_server") {
      cfg.virtual_servers.push_back(LowerVirtualServer(n, ctx));
    } else if (kw == "virtual_server_group") {
      cfg.vs_groups.push_back(LowerVsGroup(n, ctx));
    } else if (kw == "SSL") {
      cfg.ssl = LowerSsl(n, ctx);
    } else if (kw == "interface_up_down_delays" || kw == "linkbeat_interfaces") {
      auto& dst =
          kw == "linkbeat_interfaces" ? cfg.linkbeat_interfaces : cfg.interface_up_down_delays;
      for (const auto& line : n.children) {
        std::vector<std::string> w;
        for (const auto& word : line.words) w.push_back(word.text);
        dst.push_back(std::move(w));
      }
      diags.Note(n.loc(), "'" + kw +
                              "' is accepted and stored; honoured by the VRRP engine "
                              "(issue: tracking)");
    } else if (!LowerTopLevelSimple(n, cfg.top_level, ctx)) {
      diags.Warn(n.loc(), "unknown keyword '" + kw + "'; ignored");
    }
  }
}

model::Config Lowerer::Finish() {
  // global_defs may come anywhere in the file; what it says about instances applies now.
  Ctx ctx{diags_};
  for (auto& i : cfg_.vrrp_instances) FinishVrrpInstance(i, cfg_.global, ctx);
  return std::move(cfg_);
}

model::Config Lower(const std::vector<Node>& tree, base::Diagnostics& diags) {
  Lowerer l(diags);
  for (const auto& n : tree) l.Add(n);
  return l.Finish();
}

}  // namespace vigil::config
