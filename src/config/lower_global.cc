// Lowering of global_defs and keepalived's simple top-level keywords.
#include "config/lower_internal.h"

namespace vigil::config {

namespace {

using GD = model::GlobalDefs;

constexpr std::string_view kProc =
    "process scheduling/limits are applied by the supervisor "
    "(issue: operations)";
constexpr std::string_view kSnmp = "SNMP is not implemented by Vigil; use the Prometheus metrics";
constexpr std::string_view kDbus = "DBus is not implemented by Vigil; use the control socket";
constexpr std::string_view kNl =
    "netlink buffer sizing is honoured by the OS layer (issue: VRRP core)";
constexpr std::string_view kLvs = "honoured by the checker/dataplane engine (issue: checkers)";
constexpr std::string_view kVrrp = "honoured by the VRRP engine (issues: VRRP core, tracking)";
constexpr std::string_view kOps = "honoured by the daemon (issue: operations)";

const Schema<GD>& GlobalSchema() {
  static const Schema<GD> s = [] {
    std::vector<Field<GD>> f = {
        Word1<GD>("router_id", &GD::router_id),
        {"notification_email",
         [](GD& o, const Node& n, Ctx&) {
           auto w = BlockWords(n);
           o.notification_email.insert(o.notification_email.end(), w.begin(), w.end());
         },
         [](const GD& o, Printer& p) {
           if (o.notification_email.empty()) return;
           p.Open("notification_email");
           for (const auto& e : o.notification_email) p.Line(QuoteWord(e));
           p.Close();
         },
         {}},
        Word1<GD>("notification_email_from", &GD::notification_email_from),
        Words<GD>("smtp_server", &GD::smtp_server),
        Word1<GD>("smtp_helo_name", &GD::smtp_helo_name),
        Seconds<GD>("smtp_connect_timeout", &GD::smtp_connect_timeout),
        Bool<GD>("smtp_alert", &GD::smtp_alert),
        Bool<GD>("smtp_alert_vrrp", &GD::smtp_alert_vrrp),
        Bool<GD>("smtp_alert_checker", &GD::smtp_alert_checker),
        ScriptField<GD>("startup_script", &GD::startup_script),
        Seconds<GD>("startup_script_timeout", &GD::startup_script_timeout),
        ScriptField<GD>("shutdown_script", &GD::shutdown_script),
        Seconds<GD>("shutdown_script_timeout", &GD::shutdown_script_timeout),
        Word1<GD>("process_name", &GD::process_name),
        Word1<GD>("vrrp_process_name", &GD::vrrp_process_name),
        Word1<GD>("checker_process_name", &GD::checker_process_name),
        Word1<GD>("bfd_process_name", &GD::bfd_process_name),
        Word1<GD>("default_interface", &GD::default_interface),
        Int<GD>("vrrp_version", &GD::vrrp_version, 2, 3),
        Ip<GD>("vrrp_mcast_group4", &GD::vrrp_mcast_group4),
        Ip<GD>("vrrp_mcast_group6", &GD::vrrp_mcast_group6),
        Seconds<GD>("vrrp_garp_master_delay", &GD::vrrp_garp_master_delay),
        Int<GD>("vrrp_garp_master_repeat", &GD::vrrp_garp_master_repeat, 1, 255),
        Seconds<GD>("vrrp_garp_master_refresh", &GD::vrrp_garp_master_refresh),
        Int<GD>("vrrp_garp_master_refresh_repeat", &GD::vrrp_garp_master_refresh_repeat, 1, 255),
        Seconds<GD>("vrrp_garp_lower_prio_delay", &GD::vrrp_garp_lower_prio_delay),
        Int<GD>("vrrp_garp_lower_prio_repeat", &GD::vrrp_garp_lower_prio_repeat, 0, 255),
        Int<GD>("vrrp_down_timer_adverts", &GD::vrrp_down_timer_adverts, 1, 100),
        Seconds<GD>("vrrp_garp_interval", &GD::vrrp_garp_interval),
        Seconds<GD>("vrrp_gna_interval", &GD::vrrp_gna_interval),
        Seconds<GD>("vrrp_startup_delay", &GD::vrrp_startup_delay),
        Flag<GD>("vrrp_strict", &GD::vrrp_strict),
        Flag<GD>("vrrp_check_unicast_src", &GD::vrrp_check_unicast_src),
        Flag<GD>("vrrp_skip_check_adv_addr", &GD::vrrp_skip_check_adv_addr),
        Bool<GD>("vrrp_lower_prio_no_advert", &GD::vrrp_lower_prio_no_advert),
        Bool<GD>("vrrp_higher_prio_send_advert", &GD::vrrp_higher_prio_send_advert),
        Flag<GD>("v3_checksum_as_v2", &GD::v3_checksum_as_v2),
        OptWords<GD>("nftables", &GD::nftables),
        OptWords<GD>("nftables_ipvs", &GD::nftables_ipvs),
        Words<GD>("lb_dataplane", &GD::lb_dataplane),
        Words<GD>("notify_fifo", &GD::notify_fifo),
        ScriptField<GD>("notify_fifo_script", &GD::notify_fifo_script),
        Words<GD>("vrrp_notify_fifo", &GD::vrrp_notify_fifo),
        ScriptField<GD>("vrrp_notify_fifo_script", &GD::vrrp_notify_fifo_script),
        Words<GD>("lvs_notify_fifo", &GD::lvs_notify_fifo),
        ScriptField<GD>("lvs_notify_fifo_script", &GD::lvs_notify_fifo_script),
        Words<GD>("script_user", &GD::script_user),
        Flag<GD>("enable_script_security", &GD::enable_script_security),
        Int<GD>("json_version", &GD::json_version, 1, 2),
        Word1<GD>("state_dump_file", &GD::state_dump_file),
        Word1<GD>("stats_dump_file", &GD::stats_dump_file),
        Word1<GD>("json_dump_file", &GD::json_dump_file),
        {"dynamic_interfaces",
         [](GD& o, const Node& n, Ctx& c) {
           if (n.argc() && n.arg(0).text != "allow_if_changes") {
             c.diags.Error(n.arg(0).loc, "dynamic_interfaces takes only 'allow_if_changes'");
             return;
           }
           o.dynamic_interfaces = n.argc() ? n.arg(0).text : "";
         },
         [](const GD& o, Printer& p) {
           if (!o.dynamic_interfaces) return;
           p.Line("dynamic_interfaces" +
                  (o.dynamic_interfaces->empty() ? "" : " " + *o.dynamic_interfaces));
         },
         {}},
    };
    // Stored verbatim, with who will honour them.
    struct RawRow {
      std::string_view kw, note;
    };
    static const RawRow kRaw[] = {
        {"process_names", kOps},
        {"lvs_process_name", kOps},
        {"use_symlink_paths", kOps},
        {"set_supplementary_groups", kOps},
        {"max_auto_priority", kProc},
        {"min_auto_priority_delay", kProc},
        {"checker_log_all_failures", kLvs},
        {"no_email_faults", kVrrp},
        {"disable_local_igmp", kVrrp},
        {"lvs_timeouts", kLvs},
        {"lvs_flush", kLvs},
        {"lvs_flush_on_stop", kLvs},
        {"lvs_flush_onstop", kLvs},
        {"lvs_sync_daemon", kLvs},
        {"vrrp_min_garp", kVrrp},
        {"vrrp_garp_extra_if", kVrrp},

        {"vrrp_iptables",
         "iptables is not supported; Vigil "
         "uses nftables (issue: strict mode)"},
        {"vrrp_ipsets", "ipsets are not supported; Vigil uses nftables (issue: strict mode)"},
        {"nftables_priority", kVrrp},
        {"nftables_ifindex", kVrrp},
        {"vrrp_priority", kProc},
        {"vrrp_no_swap", kProc},
        {"vrrp_rt_priority", kProc},
        {"vrrp_cpu_affinity", kProc},
        {"vrrp_rlimit_rttime", kProc},
        {"vrrp_rlimit_rtime", kProc},
        {"nftables_ipvs_priority", kLvs},
        {"nftables_ipvs_start_fwmark", kLvs},
        {"nftables_counters", kVrrp},
        {"vrrp_notify_priority_changes", kVrrp},
        {"fifo_write_vrrp_states_on_reload", kOps},
        {"checker_priority", kProc},
        {"checker_no_swap", kProc},
        {"checker_rt_priority", kProc},
        {"checker_cpu_affinity", kProc},
        {"checker_rlimit_rttime", kProc},
        {"checker_rlimit_rtime", kProc},
        {"bfd_priority", kProc},
        {"bfd_no_swap", kProc},
        {"bfd_rt_priority", kProc},
        {"bfd_cpu_affinity", kProc},
        {"bfd_rlimit_rttime", kProc},
        {"bfd_rlimit_rtime", kProc},
        {"snmp_socket", kSnmp},
        {"enable_traps", kSnmp},
        {"enable_snmp_vrrp", kSnmp},
        {"enable_snmp_keepalived", kSnmp},
        {"enable_snmp_rfc", kSnmp},
        {"enable_snmp_rfcv2", kSnmp},
        {"enable_snmp_rfcv3", kSnmp},
        {"enable_snmp_checker", kSnmp},
        {"snmp_vs_stats_update_interval", kSnmp},
        {"snmp_rs_stats_update_interval", kSnmp},
        {"enable_dbus", kDbus},
        {"dbus_service_name", kDbus},
        {"dbus_no_interface_name", kDbus},
        {"vrrp_netlink_cmd_rcv_bufs", kNl},
        {"vrrp_netlink_cmd_rcv_bufs_force", kNl},
        {"vrrp_netlink_monitor_rcv_bufs", kNl},
        {"vrrp_netlink_monitor_rcv_bufs_force", kNl},
        {"process_monitor_rcv_bufs", kNl},
        {"process_monitor_rcv_bufs_force", kNl},
        {"lvs_netlink_cmd_rcv_bufs", kNl},
        {"lvs_netlink_cmd_rcv_bufs_force", kNl},
        {"lvs_netlink_monitor_rcv_bufs", kNl},
        {"lvs_netlink_monitor_rcv_bufs_force", kNl},
        {"rs_init_notifies", kLvs},
        {"no_checker_emails", kLvs},
        {"vrrp_rx_bufs_policy", kNl},
        {"vrrp_rx_bufs_multiplier", kNl},
        {"vrrp_delay_after_boot", kVrrp},
        {"log_unknown_vrids", kVrrp},
        {"vrrp_owner_ignore_adverts", kVrrp},
        {"vmac_prefix", kVrrp},
        {"vmac_addr_prefix", kVrrp},
        {"umask", kOps},
        {"random_seed", kOps},
        {"reload_check_config", kOps},
        {"reload_time_file", kOps},
        {"reload_repeat", kOps},
        {"reload_file", kOps},
        {"include_check", kOps},
        {"config_save_dir", kOps},
        {"tmp_config_directory", kOps},
        {"data_use_instance", kOps},
        {"iproute_usr_dir", kVrrp},
        {"iproute_etc_dir", kVrrp},
    };
    for (const auto& r : kRaw) f.push_back(Raw<GD>(r.kw, &GD::extra, r.note));
    f.push_back(
        MarkDeprecated(Raw<GD>("vrrp_vmac_garp_intvl", &GD::extra, kVrrp), "vrrp_garp_extra_if"));
    return Schema<GD>("global_defs", std::move(f));
  }();
  return s;
}

}  // namespace

void LowerGlobalDefs(const Node& n, model::GlobalDefs& g, Ctx& ctx) {
  ParseChildren(g, n, GlobalSchema(), ctx);
}

void DumpGlobalDefs(const model::GlobalDefs& g, Printer& p) {
  static const model::GlobalDefs kEmpty{};
  if (g == kEmpty) return;
  p.Open("global_defs");
  DumpFields(g, GlobalSchema(), p);
  DumpExtra(g.extra, p);
  p.Close();
}

bool LowerTopLevelSimple(const Node& n, model::ExtraOptions& top, Ctx& ctx) {
  static const char* const kSimple[] = {
      "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "use_pid_dir",
      "instance",      "child_wait_time",    "linkbeat_use_polling"};
  for (const char* k : kSimple) {
    if (n.keyword() == k) {
      ctx.diags.Note(n.loc(), "'" + n.keyword() + "' is accepted and stored; " + std::string(kOps));
      std::vector<std::string> w;
      for (const auto& word : n.words) w.push_back(word.text);
      top.push_back(std::move(w));
      return true;
    }
  }
  return false;
}

}  // namespace vigil::config
