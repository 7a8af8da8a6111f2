// The configuration model: immutable values produced by config/ from keepalived.conf.
//
// These are plain, comparable values (operator== drives reload diffs and the dump round-trip
// test); they carry no behaviour and no runtime state. Fields hold what the file configured:
// std::optional marks settings whose absence means "inherit" or "not set", other fields carry
// the default from model/defaults.h. Keywords Vigil stores but does not interpret yet are kept
// verbatim in `extra` (keyword -> arguments) so that nothing the operator wrote is lost.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/ip.h"
#include "base/source_loc.h"
#include "base/strings.h"
#include "model/boxed.h"
#include "model/defaults.h"

namespace vigil::model {

using base::Duration;
using base::IpAddress;
using base::Prefix;

// Where a configuration item was written. Not part of the item's value: two configs that differ
// only in layout compare equal.
struct Where : base::SourceLoc {
  Where() = default;
  Where(const base::SourceLoc& l) : base::SourceLoc(l) {}  // NOLINT: implicit by design
  bool operator==(const Where&) const { return true; }
};

// Keywords stored verbatim, in file order: keyword followed by its arguments.
using ExtraOptions = std::vector<std::vector<std::string>>;

// The last line of `extra` that starts with `keyword` (keyword included), or nullptr.
const std::vector<std::string>* FindExtra(const ExtraOptions& extra, std::string_view keyword);
// A flag keyword with keepalived's optional <BOOL>: true if given bare or true/on/yes.
bool ExtraFlag(const ExtraOptions& extra, std::string_view keyword);

// A script to run: argv (already split shell-style) and an optional run-as user/group.
struct Script {
  std::vector<std::string> argv;
  std::string user;
  std::string group;
  bool operator==(const Script&) const = default;
};

// One entry of track_interface / track_script / track_file / track_process / track_bfd.
struct TrackRef {
  std::string name;
  Where loc;
  std::optional<int> weight;  // absent: use the tracked object's own weight (or FAULT)
  bool reverse = false;
  bool operator==(const TrackRef&) const = default;
};

struct TrackLists {
  std::vector<TrackRef> interfaces, scripts, files, processes, bfds;
  bool operator==(const TrackLists&) const = default;
};

// The less common options of an address line, boxed to keep IpAddressConf small.
struct IpAddressOptions {
  std::string broadcast;  // an address, "+", "-" or empty
  std::string scope;
  std::string label;
  std::optional<IpAddress> peer;
  std::optional<std::string> preferred_lft;  // number or "forever"
  std::string track_group;                   // static_ipaddress only
  std::optional<std::string> use_vmac;       // VIP on a VMAC; value is the (optional) name
  bool home = false, nodad = false, mngtmpaddr = false, noprefixroute = false, autojoin = false;
  bool no_track = false;
  bool operator==(const IpAddressOptions&) const = default;
};

// One line of virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress.
struct IpAddressConf {
  Prefix address;
  Where loc;
  std::string dev;
  Boxed<IpAddressOptions> opt;
  bool operator==(const IpAddressConf&) const = default;
};

// A route or rule line in `ip route add` / `ip rule add` syntax. Addresses and numbers are
// validated while lowering; the words are kept in order for the netlink layer.
struct RouteConf {
  std::vector<std::string> words;
  bool operator==(const RouteConf&) const = default;
};

struct UnicastPeer {
  IpAddress address;
  Where loc;
  std::optional<int> min_ttl, max_ttl;
  bool operator==(const UnicastPeer&) const = default;
};

enum class InitialState { kBackup, kMaster };
enum class AuthType { kNone, kPass, kAh };

struct AuthHmacConf {
  std::vector<std::pair<int, std::string>> keys;  // key id -> key text (masked in dumps)
  std::optional<int> active_key;
  std::optional<int> time_window;
  std::string anti_replay;
  std::string mode;
  bool operator==(const AuthHmacConf&) const = default;
};

struct NotifyScripts {
  std::optional<Script> master, backup, fault, stop, deleted, generic, master_rx_lower_pri;
  bool notify_deleted_flag = false;  // notify_deleted given without a script
  bool operator==(const NotifyScripts&) const = default;
};

// The less common vrrp_instance settings, boxed so that a plain instance stays small.
struct VrrpInstanceTuning {
  std::string vrf;
  std::optional<IpAddress> mcast_dst_ip;
  bool track_src_ip = false;
  bool unicast_fault_no_peer = false;
  bool check_unicast_src = false;
  std::optional<std::string> old_unicast_checksum;  // "" or "never"
  std::optional<int> unicast_ttl;
  bool native_ipv6 = false;
  bool promote_secondaries = false;
  bool linkbeat_use_polling = false;
  std::optional<bool> v3_checksum_as_v2;
  std::optional<bool> skip_check_adv_addr, strict_mode;
  std::optional<int> debug;
  std::optional<bool> smtp_alert, notify_priority_changes;
  std::string lvs_sync_daemon_interface;
  std::optional<Duration> garp_master_delay, garp_master_refresh, garp_lower_prio_delay;
  std::optional<int> garp_master_repeat, garp_master_refresh_repeat, garp_lower_prio_repeat;
  std::optional<int> down_timer_adverts;
  std::optional<int> timer_expired_backup;  // value = HIGHEST_OTHER_PRIO, 0 = flag only
  std::optional<std::vector<std::string>> garp_extra_if_words;  // "[all] SECS"
  std::optional<bool> lower_prio_no_advert, higher_prio_send_advert, owner_ignore_adverts;
  std::optional<int> kernel_rx_buf_size;
  // VMAC / ipvlan: the words after the keyword ("" when given alone).
  std::optional<std::vector<std::string>> use_vmac, use_ipvlan;
  bool use_vmac_addr = false;
  bool vmac_xmit_base = false;
  std::optional<AuthHmacConf> auth_hmac;
  bool operator==(const VrrpInstanceTuning&) const = default;
};

struct VrrpInstanceConf {
  std::string name;
  Where loc;
  InitialState state = InitialState::kBackup;
  bool state_set = false;
  std::string interface;
  Where interface_loc;
  Where advert_int_loc;
  int vrid = 0;  // 0 = not configured (an error)
  int priority = defaults::kPriority;
  bool priority_set = false;
  int version = defaults::kVrrpVersion;
  bool version_set = false;
  Duration advert_int = defaults::kAdvertInt;
  std::optional<IpAddress> mcast_src_ip, unicast_src_ip;
  std::vector<UnicastPeer> unicast_peers;
  bool dont_track_primary = false;
  TrackLists track;
  std::vector<IpAddressConf> vips, excluded_vips;
  bool no_virtual_ipaddress = false;
  std::vector<RouteConf> virtual_routes, virtual_rules;
  bool accept = false, no_accept = false;
  bool nopreempt = false;
  std::optional<Duration> preempt_delay;
  Boxed<NotifyScripts> notify;
  AuthType auth_type = AuthType::kNone;
  std::string auth_pass;  // secret: masked in dumps
  Boxed<VrrpInstanceTuning> tuning;

  bool operator==(const VrrpInstanceConf&) const = default;
};

struct SyncGroupConf {
  std::string name;
  Where loc;
  std::vector<std::string> members;
  TrackLists track;
  Boxed<NotifyScripts> notify;
  std::optional<bool> smtp_alert, notify_priority_changes;
  bool global_tracking = false;
  bool sync_group_tracking_weight = false;
  bool operator==(const SyncGroupConf&) const = default;
};

struct VrrpScriptConf {
  std::string name;
  Where loc;
  Script script;
  Duration interval = defaults::kScriptInterval;
  std::optional<Duration> timeout;
  int weight = 0;
  bool weight_reverse = false;
  int rise = defaults::kScriptRise, fall = defaults::kScriptFall;
  std::string user;  // "USER [GROUP]"
  bool init_fail = false;
  bool operator==(const VrrpScriptConf&) const = default;
};

struct TrackProcessConf {
  std::string name;
  Where loc;
  std::string process;
  std::vector<std::string> parameters;
  std::string param_match;  // "", "initial" or "partial"
  int weight = 0;
  bool weight_reverse = false;
  int quorum = defaults::kProcessQuorum;
  std::optional<int> quorum_max;
  std::optional<Duration> delay, terminate_delay, fork_delay;
  bool full_command = false;
  bool operator==(const TrackProcessConf&) const = default;
};

struct TrackFileConf {
  std::string name;
  Where loc;
  std::string file;
  int weight = defaults::kTrackFileWeight;
  bool weight_reverse = false;
  std::optional<std::vector<std::string>> init_file;  // [VALUE] [overwrite]
  bool legacy_keyword = false;                        // declared as vrrp_track_file
  bool operator==(const TrackFileConf&) const = default;
};

struct TrackGroupConf {
  std::string name;
  Where loc;
  std::vector<std::string> members;
  bool operator==(const TrackGroupConf&) const = default;
};

struct GarpGroupConf {
  std::optional<Duration> garp_interval, gna_interval;
  std::string interface;
  std::vector<std::string> interfaces;
  bool operator==(const GarpGroupConf&) const = default;
};

struct BfdInstanceConf {
  std::string name;
  Where loc;
  std::optional<IpAddress> neighbor_ip, source_ip;
  int min_rx_ms = defaults::kBfdMinRxMs, min_tx_ms = defaults::kBfdMinTxMs;
  int idle_tx_ms = defaults::kBfdIdleTxMs;
  int multiplier = defaults::kBfdMultiplier;
  bool passive = false;
  std::optional<int> ttl, max_hops;
  std::optional<bool> multihop;
  std::optional<int> weight;
  bool weight_reverse = false;
  bool vrrp = false, checker = false;
  bool operator==(const BfdInstanceConf&) const = default;
};

// ---- LVS ----

enum class CheckerKind { kTcp, kHttp, kSsl, kSmtp, kDns, kMisc, kUdp, kPing, kFile, kBfd };
const char* CheckerKeyword(CheckerKind k);

struct StatusRange {
  int lo = 0, hi = 0;
  bool operator==(const StatusRange&) const = default;
};

struct UrlConf {
  std::string path;
  std::string digest;
  std::vector<StatusRange> status_codes;  // empty: 200-299
  std::string virtualhost;
  std::string regex;
  bool regex_no_match = false;
  std::vector<std::string> regex_options;
  std::optional<int> regex_min_offset, regex_max_offset;
  std::optional<std::pair<int, int>> regex_stack;
  std::optional<bool> tls_compliant;
  bool operator==(const UrlConf&) const = default;
};

// The settings shared by every checker; unset ones inherit from the real/virtual server.
struct CheckCommon {
  std::optional<IpAddress> connect_ip, bindto;
  std::optional<int> connect_port, bind_port, fwmark;
  std::string bind_if;
  std::optional<Duration> connect_timeout, delay_before_retry, warmup, delay_loop;
  std::optional<int> retry;
  std::optional<bool> alpha, log_all_failures;
  bool operator==(const CheckCommon&) const = default;
};

// The settings of one checker kind (only those of `CheckerConf::kind` are ever set).
struct CheckerDetails {
  // HTTP_GET / SSL_GET
  std::string virtualhost;
  std::string http_protocol;
  std::optional<bool> enable_sni, fast_recovery, tls_compliant;
  std::string sni_name;
  std::vector<UrlConf> urls;
  // SMTP_CHECK
  std::string helo_name;
  std::vector<CheckCommon> smtp_hosts;
  // DNS_CHECK
  std::string dns_type;
  std::string dns_name;
  // MISC_CHECK
  std::optional<Script> misc_path;
  std::optional<Duration> misc_timeout;
  bool misc_dynamic = false;
  std::string user;  // "USER [GROUP]"
  // UDP_CHECK
  std::string payload;
  std::optional<std::string> require_reply;
  std::optional<int> min_reply_length, max_reply_length;
  // FILE_CHECK
  std::string track_file;
  std::optional<int> file_weight;
  bool file_weight_reverse = false;
  // BFD_CHECK
  std::string bfd_name;

  bool operator==(const CheckerDetails&) const = default;
};

struct CheckerConf {
  CheckerKind kind = CheckerKind::kTcp;
  Where loc;
  CheckCommon common;
  Boxed<CheckerDetails> details;
  bool operator==(const CheckerConf&) const = default;
};

enum class LvsMethod { kNat, kDr, kTun };

struct ForwardingConf {
  LvsMethod method = LvsMethod::kNat;
  std::vector<std::string> tunnel_options;  // after TUN: type ipip|gue port N|gre, csum options
  bool operator==(const ForwardingConf&) const = default;
};

struct RealServerConf {
  IpAddress address;
  std::optional<int> port;
  Where loc;
  int weight = defaults::kRealServerWeight;
  std::optional<ForwardingConf> forwarding;
  std::optional<int> uthreshold, lthreshold;
  std::optional<bool> inhibit_on_failure, alpha, smtp_alert;
  std::optional<Script> notify_up, notify_down;
  std::optional<int> retry;
  std::optional<Duration> delay_before_retry, warmup, connect_timeout, delay_loop;
  std::string virtualhost;
  std::string snmp_name;
  std::vector<CheckerConf> checkers;
  bool operator==(const RealServerConf&) const = default;
};

enum class VsKeyKind { kAddress, kFwmark, kGroup };

struct VirtualServerConf {
  VsKeyKind key_kind = VsKeyKind::kAddress;
  IpAddress address;
  std::optional<int> port;
  int fwmark = 0;
  std::string group;
  Where loc;

  std::string ip_family;                     // for fwmark/group: inet | inet6
  std::string protocol;                      // TCP | UDP | SCTP (default TCP)
  std::string lb_algo;                       // scheduler
  std::optional<ForwardingConf> forwarding;  // unset: NAT, with keepalived's warning
  bool hashed = false, ops = false, flag1 = false, flag2 = false, flag3 = false;
  bool sh_port = false, sh_fallback = false, mh_port = false, mh_fallback = false;
  std::string persistence_engine;
  std::optional<Duration> persistence_timeout;
  std::optional<IpAddress> persistence_granularity;
  bool ha_suspend = false;
  std::optional<bool> smtp_alert, inhibit_on_failure;
  std::string virtualhost;
  std::string snmp_name;
  bool alpha = false, omega = false;
  std::optional<Script> quorum_up, quorum_down;
  int quorum = defaults::kQuorum;
  int hysteresis = 0;
  std::optional<int> weight;
  std::optional<IpAddress> sorry_server;
  std::optional<int> sorry_server_port;
  bool sorry_server_inhibit = false;
  std::optional<ForwardingConf> sorry_server_forwarding;
  std::optional<int> retry;
  std::optional<Duration> delay_before_retry, warmup, connect_timeout;
  Duration delay_loop = defaults::kDelayLoop;
  std::vector<RealServerConf> real_servers;

  bool operator==(const VirtualServerConf&) const = default;
};

struct VsGroupEntry {
  // Either an address range (first..last, inclusive) with optional port, or a fwmark.
  std::optional<IpAddress> first, last;
  std::optional<int> port;
  std::optional<int> fwmark;
  std::string family;  // for fwmark entries: inet | inet6 | ""
  bool operator==(const VsGroupEntry&) const = default;
};

struct VirtualServerGroupConf {
  std::string name;
  Where loc;
  std::vector<VsGroupEntry> entries;
  bool operator==(const VirtualServerGroupConf&) const = default;
};

struct SslConf {
  std::string password;  // secret: masked in dumps
  std::string ca, certificate, key;
  bool operator==(const SslConf&) const = default;
};

// ---- global ----

struct GlobalDefs {
  std::string router_id;
  std::vector<std::string> notification_email;
  std::string notification_email_from;
  std::string smtp_server;  // "HOST [PORT]"
  std::string smtp_helo_name;
  std::optional<Duration> smtp_connect_timeout;
  std::optional<bool> smtp_alert, smtp_alert_vrrp, smtp_alert_checker;
  std::optional<Script> startup_script, shutdown_script;
  std::optional<Duration> startup_script_timeout, shutdown_script_timeout;
  std::string process_name, vrrp_process_name, checker_process_name, bfd_process_name;
  std::string default_interface;
  int vrrp_version = defaults::kVrrpVersion;
  std::optional<IpAddress> vrrp_mcast_group4, vrrp_mcast_group6;
  std::optional<Duration> vrrp_garp_master_delay, vrrp_garp_master_refresh,
      vrrp_garp_lower_prio_delay, vrrp_garp_interval, vrrp_gna_interval, vrrp_startup_delay;
  std::optional<int> vrrp_garp_master_repeat, vrrp_garp_master_refresh_repeat,
      vrrp_garp_lower_prio_repeat, vrrp_down_timer_adverts;
  bool vrrp_strict = false;
  bool vrrp_check_unicast_src = false;
  bool vrrp_skip_check_adv_addr = false;
  std::optional<bool> vrrp_lower_prio_no_advert, vrrp_higher_prio_send_advert;
  bool v3_checksum_as_v2 = false;
  std::optional<std::vector<std::string>> nftables, nftables_ipvs;  // optional table name
  // Vigil's `lb_dataplane ipvs | nftables [TABLE]`: where virtual servers are programmed
  // (empty: ipvs, as keepalived). Not a keepalived keyword.
  std::string lb_dataplane;
  std::optional<Script> notify_fifo_script, vrrp_notify_fifo_script, lvs_notify_fifo_script;
  std::string notify_fifo, vrrp_notify_fifo, lvs_notify_fifo;  // "FIFO [USER [GROUP]]"
  std::string script_user;                                     // "USER [GROUP]"
  bool enable_script_security = false;
  int json_version = defaults::kJsonVersion;
  std::string state_dump_file, stats_dump_file, json_dump_file;
  std::optional<std::string> dynamic_interfaces;  // "" or "allow_if_changes"
  ExtraOptions extra;  // stored verbatim; see docs/COMPATIBILITY.md for who honours each

  bool operator==(const GlobalDefs&) const = default;
};

struct Config {
  GlobalDefs global;
  ExtraOptions top_level;  // net_namespace, instance, use_pid_dir, child_wait_time, ...
  std::vector<IpAddressConf> static_ipaddress;
  std::vector<RouteConf> static_routes, static_rules;
  std::vector<VrrpScriptConf> vrrp_scripts;
  std::vector<TrackProcessConf> track_processes;
  std::vector<TrackFileConf> track_files;
  std::vector<TrackGroupConf> track_groups;
  std::vector<GarpGroupConf> garp_groups;
  // deque: no reallocation peaks while tens of thousands of blocks are read
  std::deque<VrrpInstanceConf> vrrp_instances;
  std::vector<SyncGroupConf> sync_groups;
  std::vector<BfdInstanceConf> bfd_instances;
  std::optional<SslConf> ssl;
  std::vector<VirtualServerGroupConf> vs_groups;
  std::deque<VirtualServerConf> virtual_servers;
  ExtraOptions interface_up_down_delays, linkbeat_interfaces;

  bool operator==(const Config&) const = default;

  bool HasVrrp() const { return !vrrp_instances.empty(); }
  bool HasLvs() const { return !virtual_servers.empty(); }
  bool HasScripts() const;
};

// The vrrp_sync_group that lists instance `name`, or nullptr.
const SyncGroupConf* SyncGroupOf(const Config& config, const std::string& name);

}  // namespace vigil::model
