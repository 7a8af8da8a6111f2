#include "control/keepalived_dump.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "control/json_read.h"

namespace vigil::control {

namespace {

using nlohmann::json;
namespace d = model::defaults;

// ---- reading the status document leniently ----

using namespace json_read;  // NOLINT(google-build-using-namespace): this file's vocabulary

const json& Instances(const json& status) {
  static const json kEmpty = json::array();
  const json& v = Member(status, "instances");
  return v.is_array() ? v : kEmpty;
}

// ---- keepalived's encodings ----

// keepalived's state numbers (vrrp.h): 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT.
constexpr std::string_view kStates[] = {"INIT", "BACKUP", "MASTER", "FAULT"};

int StateNumber(std::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kStates[i] == name) return i;
  }
  return 0;
}

std::string ValidState(std::string_view name) { return std::string(kStates[StateNumber(name)]); }

// C's "%g" (six significant digits, no trailing zeros), which keepalived's JSON writer uses
// for every float field. Locale independent.
std::string FormatG(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 6);
  return std::string(buf, r.ptr);
}

// C's "%f".
std::string FormatFixed6(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 6);
  return std::string(buf, r.ptr);
}

double Seconds(base::Duration d) { return std::chrono::duration<double>(d).count(); }

// keepalived prints a command with each word in single quotes, separated by spaces.
std::string Command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += '\'' + a + '\'';
  }
  return out;
}

std::string Pad2(int v, char fill) {
  std::string s = std::to_string(v);
  return s.size() < 2 ? std::string(1, fill) + s : s;
}

// "Sat Jan 14 06:41:32.348360 2023", as keepalived 2.2.7 prints a transition time, in UTC.
std::string FormatTime(double epoch) {
  auto secs = static_cast<int64_t>(std::floor(epoch));
  auto usec = static_cast<int64_t>(std::llround((epoch - static_cast<double>(secs)) * 1e6));
  if (usec >= 1'000'000) {
    ++secs;
    usec -= 1'000'000;
  }
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t tod = secs - days * 86400;
  // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int64_t wday = ((days % 7) + 7) % 7;
  std::string us = std::to_string(usec);
  us.insert(0, 6 - us.size(), '0');
  return std::string(kDays[wday]) + ' ' + kMonths[month - 1] + ' ' +
         Pad2(static_cast<int>(day), ' ') + ' ' + Pad2(static_cast<int>(tod / 3600), '0') + ':' +
         Pad2(static_cast<int>(tod / 60 % 60), '0') + ':' + Pad2(static_cast<int>(tod % 60), '0') +
         '.' + us + ' ' + std::to_string(year);
}

std::string ScopeName(const std::string& scope) {
  if (scope.empty() || scope == "0") return "global";
  if (scope == "200") return "site";
  if (scope == "253") return "link";
  if (scope == "254") return "host";
  if (scope == "255") return "nowhere";
  return scope;
}

// `brd +` / `brd -`: the host part set to ones / zeros, as the address is installed.
std::string BroadcastText(const model::IpAddressConf& a) {
  const std::string& b = a.opt->broadcast;
  if (b.empty() || !a.address.address.is_v4()) return "";
  if (b != "+" && b != "-") return b;
  uint32_t addr = a.address.address.v4_host_order();
  uint32_t host = a.address.length >= 32 ? 0 : (0xffffffffU >> a.address.length);
  return base::IpAddress::V4(b == "+" ? (addr | host) : (addr & ~host)).ToString();
}

// One address as keepalived formats it: "10.1.0.1/24 [brd B] dev IF scope global [label L]
// [peer P/N] [flags]" (the prefix length is left out for a host address).
std::string FormatAddress(const model::IpAddressConf& a, const std::string& default_dev) {
  const model::IpAddressOptions& o = a.opt.get();
  std::string s = a.address.ToString(/*omit_full=*/true);
  if (std::string brd = BroadcastText(a); !brd.empty()) s += " brd " + brd;
  s += " dev " + (a.dev.empty() ? default_dev : a.dev);
  if (o.use_vmac) s += " use_vmac";
  s += " scope " + ScopeName(o.scope);
  if (!o.label.empty()) s += " label " + o.label;
  if (o.peer) s += " peer " + o.peer->ToString() + '/' + std::to_string(a.address.length);
  if (o.home) s += " home";
  if (o.nodad) s += " nodad";
  if (o.mngtmpaddr) s += " mngtmpaddr";
  if (o.noprefixroute) s += " noprefixroute";
  if (o.autojoin) s += " autojoin";
  return s;
}

// ---- one instance: the status entry, its configuration and what follows from both ----

struct Instance {
  const json& st;
  const model::VrrpInstanceConf* conf;  // nullptr: not in the configuration given
  const model::Config& config;

  std::string name() const { return Str(st, "name"); }
  std::string state() const { return ValidState(Str(st, "state", "INIT")); }
  // keepalived's wantstate: the state the instance is heading for; before it runs, the
  // configured initial state.
  std::string wantstate() const {
    std::string w = Str(st, "wantstate");
    if (!w.empty()) return ValidState(w);
    std::string s = state();
    if (s != "INIT") return s;
    return conf && conf->state == model::InitialState::kMaster ? "MASTER" : "BACKUP";
  }
  int version() const { return static_cast<int>(Int(st, "version", conf ? conf->version : 2)); }
  int vrid() const { return static_cast<int>(Int(st, "vrid", conf ? conf->vrid : 0)); }
  int base_priority() const {
    return static_cast<int>(Int(st, "base_priority", conf ? conf->priority : d::kPriority));
  }
  int effective_priority() const {
    return static_cast<int>(Int(st, "effective_priority", base_priority()));
  }
  double advert_int() const {
    return Num(st, "advert_int").value_or(Seconds(conf ? conf->advert_int : d::kAdvertInt));
  }
  double master_adver_int() const { return Num(st, "master_adver_int").value_or(advert_int()); }
  std::string interface() const { return Str(st, "interface", conf ? conf->interface : ""); }
  std::string vmac() const { return Str(st, "vmac_interface"); }
  // The interface keepalived runs the instance on: its VMAC / ipvlan link when it has one.
  std::string ifp() const { return vmac().empty() ? interface() : vmac(); }
  // Where the addresses go by default ("vrrp.51@eth0" on a VMAC, as keepalived names it).
  std::string address_dev() const {
    return vmac().empty() ? interface() : vmac() + '@' + interface();
  }
  const model::VrrpInstanceTuning* tuning() const { return conf ? &conf->tuning.get() : nullptr; }
  const model::GlobalDefs& global() const { return config.global; }

  bool strict() const {
    auto t = tuning();
    return Bool(st, "strict_mode", t && t->strict_mode ? *t->strict_mode : global().vrrp_strict);
  }
  bool skip_check_adv_addr() const {
    auto t = tuning();
    return Bool(
        st, "skip_check_adv_addr",
        t && t->skip_check_adv_addr ? *t->skip_check_adv_addr : global().vrrp_skip_check_adv_addr);
  }
  bool accept() const {
    bool configured = !(conf && conf->no_accept) && !strict();
    return Bool(st, "accept", configured);
  }
  bool nopreempt() const { return conf && conf->nopreempt; }
  double preempt_delay() const {
    auto fallback = conf && conf->preempt_delay && !strict() ? Seconds(*conf->preempt_delay) : 0.0;
    return Num(st, "preempt_delay").value_or(fallback);
  }
  int garp_repeat() const {
    auto t = tuning();
    int def = t && t->garp_master_repeat
                  ? *t->garp_master_repeat
                  : global().vrrp_garp_master_repeat.value_or(d::kGarpMasterRepeat);
    return static_cast<int>(Int(st, "garp_repeat", def));
  }
  double garp_delay() const {
    auto t = tuning();
    auto def = t && t->garp_master_delay
                   ? *t->garp_master_delay
                   : global().vrrp_garp_master_delay.value_or(d::kGarpMasterDelay);
    return Num(st, "garp_delay").value_or(Seconds(def));
  }
  int garp_lower_prio_repeat() const {
    auto t = tuning();
    int def = t && t->garp_lower_prio_repeat
                  ? *t->garp_lower_prio_repeat
                  : global().vrrp_garp_lower_prio_repeat.value_or(garp_repeat());
    return static_cast<int>(Int(st, "garp_lower_prio_repeat", def));
  }
  double garp_lower_prio_delay() const {
    auto t = tuning();
    double def = t && t->garp_lower_prio_delay ? Seconds(*t->garp_lower_prio_delay)
                 : global().vrrp_garp_lower_prio_delay
                     ? Seconds(*global().vrrp_garp_lower_prio_delay)
                     : garp_delay();
    return Num(st, "garp_lower_prio_delay").value_or(def);
  }
  double garp_refresh() const {
    auto t = tuning();
    auto v =
        t && t->garp_master_refresh ? t->garp_master_refresh : global().vrrp_garp_master_refresh;
    return v ? Seconds(*v) : 0.0;
  }
  int garp_refresh_repeat() const {
    auto t = tuning();
    return t && t->garp_master_refresh_repeat
               ? *t->garp_master_refresh_repeat
               : global().vrrp_garp_master_refresh_repeat.value_or(d::kGarpMasterRefreshRepeat);
  }
  int down_timer_adverts() const {
    auto t = tuning();
    return t && t->down_timer_adverts
               ? *t->down_timer_adverts
               : global().vrrp_down_timer_adverts.value_or(d::kDownTimerAdverts);
  }
  bool lower_prio_no_advert() const {
    auto t = tuning();
    bool def = t && t->lower_prio_no_advert ? *t->lower_prio_no_advert
                                            : global().vrrp_lower_prio_no_advert.value_or(false);
    return Bool(st, "lower_prio_no_advert", def);
  }
  bool higher_prio_send_advert() const {
    auto t = tuning();
    bool def = t && t->higher_prio_send_advert
                   ? *t->higher_prio_send_advert
                   : global().vrrp_higher_prio_send_advert.value_or(d::kHigherPrioSendAdvert);
    return Bool(st, "higher_prio_send_advert", def);
  }
  bool promote_secondaries() const { return tuning() && tuning()->promote_secondaries; }
  bool smtp_alert() const {
    auto t = tuning();
    const auto& g = global();
    return t && t->smtp_alert ? *t->smtp_alert
                              : g.smtp_alert_vrrp.value_or(g.smtp_alert.value_or(false));
  }
  bool notify_deleted() const {
    return conf && (conf->notify->deleted || conf->notify->notify_deleted_flag);
  }
  bool notify_priority_changes() const {
    auto t = tuning();
    if (t && t->notify_priority_changes) return *t->notify_priority_changes;
    if (conf) {
      const model::SyncGroupConf* g = model::SyncGroupOf(config, conf->name);
      if (g && g->notify_priority_changes) return *g->notify_priority_changes;
    }
    return model::ExtraFlag(global().extra, "vrrp_notify_priority_changes");
  }
  // keepalived's auth_type numbers: 0 none, 1 PASS, 2 AH. Strict mode and VRRPv3 have none.
  int auth_type() const {
    std::string s = Str(st, "auth_type");
    if (s == "PASS") return 1;
    if (s == "AH") return 2;
    if (!s.empty() || !conf || conf->version != 2 || strict()) return 0;
    return conf->auth_type == model::AuthType::kPass ? 1
           : conf->auth_type == model::AuthType::kAh ? 2
                                                     : 0;
  }
  bool ipv6() const {
    if (!conf) return false;
    return (!conf->vips.empty() && !conf->vips[0].address.address.is_v4()) ||
           conf->tuning->native_ipv6;
  }
  bool vips_set() const { return state() == "MASTER"; }

  const json& tracking() const {
    static const json kEmpty = json::array();
    const json& t = Member(st, "tracking");
    return t.is_array() ? t : kEmpty;
  }
  // keepalived's num_script_if_fault: tracked objects without a weight that are down (up, for
  // a reverse one), at least one while the instance is FAULT.
  int fault_count() const {
    int n = 0;
    for (const auto& t : tracking()) {
      std::string type = Str(t, "type");
      if (type == "file" || Int(t, "weight") != 0) continue;
      if (Bool(t, "up", true) == Bool(t, "reverse")) ++n;
    }
    return n == 0 && state() == "FAULT" ? 1 : n;
  }
  int scripts_init() const {
    int n = 0;
    for (const auto& t : tracking()) {
      if (Str(t, "type") == "script" && Int(t, "runs") == 0) ++n;
    }
    return n;
  }

  // The addresses, formatted; from the configuration, else the status' plain prefixes.
  std::vector<std::string> addresses(bool excluded) const {
    std::vector<std::string> out;
    if (conf) {
      for (const auto& a : excluded ? conf->excluded_vips : conf->vips) {
        out.push_back(FormatAddress(a, address_dev()));
      }
      return out;
    }
    if (excluded) return out;
    const json& vips = Member(st, "vips");
    if (!vips.is_array()) return out;
    for (const auto& v : vips) {
      if (!v.is_string()) continue;
      auto p = base::Prefix::Parse(v.get<std::string>());
      std::string text = p ? p->ToString(true) : v.get<std::string>();
      out.push_back(text + " dev " + address_dev() + " scope global");
    }
    return out;
  }
  // The data file's form of an address line (IPv6 with preferred_lft 0 is "deprecated";
  // "set" while it is installed).
  std::vector<std::string> address_lines(bool excluded) const {
    std::vector<std::string> out = addresses(excluded);
    for (size_t i = 0; i < out.size(); ++i) {
      if (conf) {
        const auto& a = (excluded ? conf->excluded_vips : conf->vips)[i];
        if (!a.address.address.is_v4() && a.opt->preferred_lft == "0") out[i] += " deprecated";
      }
      if (vips_set()) out[i] += " set";
    }
    return out;
  }
};

std::vector<Instance> InstancesOf(const json& status, const model::Config& config) {
  std::vector<Instance> out;
  for (const auto& st : Instances(status)) {
    if (!st.is_object()) continue;
    const model::VrrpInstanceConf* conf = nullptr;
    std::string name = Str(st, "name");
    for (const auto& c : config.vrrp_instances) {
      if (c.name == name) {
        conf = &c;
        break;
      }
    }
    out.push_back(Instance{st, conf, config});
  }
  return out;
}

const model::VrrpScriptConf* FindScript(const model::Config& config, const std::string& name) {
  for (const auto& s : config.vrrp_scripts) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }
std::string TrueFalse(bool b) { return b ? "true" : "false"; }
std::string Enabled(bool b) { return b ? "enabled" : "disabled"; }

// ---- keepalived.data ----

class TextOut {
 public:
  void Line(const std::string& s) {
    out_ += s;
    out_ += '\n';
  }
  // "   Key = value", at the indentation keepalived gives an item's properties.
  void Prop(const std::string& key, const std::string& value) { Line("   " + key + " = " + value); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void WriteNotifyScripts(TextOut& out, const model::NotifyScripts& n) {
  auto one = [&](const std::optional<model::Script>& s, const char* type) {
    if (s) out.Prop(std::string(type) + " state transition script", Command(s->argv));
  };
  one(n.backup, "Backup");
  one(n.master, "Master");
  one(n.fault, "Fault");
  one(n.stop, "Stop");
  one(n.deleted, "Deleted");
  one(n.generic, "Generic");
  one(n.master_rx_lower_pri, "Master rx lower pri");
}

void WriteInstance(TextOut& out, const Instance& in) {
  const std::string state = in.state();
  const int version = in.version();
  out.Line(" VRRP Instance = " + in.name());
  out.Prop("VRRP Version", std::to_string(version));
  if (in.conf) {
    if (const auto* g = model::SyncGroupOf(in.config, in.conf->name))
      out.Prop("Sync group", g->name);
  }
  if (in.ipv6()) out.Line("   Using Native IPv6");
  out.Prop("State", state);
  if (state == "BACKUP") {
    if (Member(in.st, "master_priority").is_number()) {
      out.Prop("Master priority", std::to_string(Int(in.st, "master_priority")));
    }
    if (version == 3) {
      double mai = in.master_adver_int();
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof(buf), mai, std::chars_format::fixed, 2);
      out.Prop("Master advert int", std::string(buf, r.ptr) + " sec");
    }
  }
  out.Prop("Wantstate", in.wantstate());
  out.Prop("Number of interface and track script faults", std::to_string(in.fault_count()));
  out.Prop("Number of track scripts init", std::to_string(in.scripts_init()));
  if (auto lt = Num(in.st, "last_transition")) {
    out.Prop("Last transition", FormatFixed6(*lt) + " (" + FormatTime(*lt) + ")");
  }
  if (auto mdi = Num(in.st, "master_down_interval")) {
    out.Prop("Master down timer", std::to_string(std::llround(*mdi * 1e6)) + " usecs");
  }
  if (in.vmac().empty()) {
    out.Prop("Interface", in.interface());
  } else {
    bool ipvlan = in.tuning() && in.tuning()->use_ipvlan.has_value();
    out.Prop("Interface",
             in.vmac() + ", " + (ipvlan ? "ipvlan" : "vmac") + " on " + in.interface());
  }
  if (in.conf && in.conf->dont_track_primary) out.Line("   VRRP interface tracking disabled");
  if (in.skip_check_adv_addr()) out.Line("   Skip checking advert IP addresses");
  if (in.strict()) out.Line("   Enforcing strict VRRP compliance");
  {
    std::optional<base::IpAddress> configured;
    if (in.conf)
      configured = in.conf->unicast_src_ip ? in.conf->unicast_src_ip : in.conf->mcast_src_ip;
    std::string src = Str(in.st, "src_ip", configured ? configured->ToString() : "(none)");
    out.Prop("Using src_ip", src + (configured ? " (from configuration)" : ""));
  }
  if (in.conf && in.conf->unicast_peers.empty()) {
    auto group = in.tuning()->mcast_dst_ip.value_or(
        *base::IpAddress::Parse(in.ipv6() ? "ff02::12" : "224.0.0.18"));
    out.Line("   Multicast address " + group.ToString());
  }
  // Whole seconds: the exporter reads this one as an integer.
  out.Prop("Gratuitous ARP delay", std::to_string(static_cast<int64_t>(in.garp_delay())));
  out.Prop("Gratuitous ARP repeat", std::to_string(in.garp_repeat()));
  out.Prop("Gratuitous ARP refresh", std::to_string(static_cast<int64_t>(in.garp_refresh())));
  out.Prop("Gratuitous ARP refresh repeat", std::to_string(in.garp_refresh_repeat()));
  out.Prop("Gratuitous ARP lower priority delay",
           std::to_string(static_cast<int64_t>(in.garp_lower_prio_delay())));
  out.Prop("Gratuitous ARP lower priority repeat", std::to_string(in.garp_lower_prio_repeat()));
  out.Prop("Down timer adverts", std::to_string(in.down_timer_adverts()));
  out.Prop("Send advert after receive lower priority advert",
           TrueFalse(!in.lower_prio_no_advert()));
  out.Prop("Send advert after receive higher priority advert",
           TrueFalse(in.higher_prio_send_advert()));
  out.Prop("Virtual Router ID", std::to_string(in.vrid()));
  out.Prop("Priority", std::to_string(in.base_priority()));
  out.Prop("Effective priority", std::to_string(in.effective_priority()));
  out.Prop("Total priority", std::to_string(in.effective_priority()));
  if (version == 2) {
    out.Prop("Advert interval", std::to_string(static_cast<int64_t>(in.advert_int())) + " sec");
  } else {
    out.Prop("Advert interval",
             std::to_string(std::llround(in.advert_int() * 1000)) + " milli-sec");
  }
  if (state == "BACKUP" && version == 3) {
    out.Prop("Master advert interval",
             std::to_string(std::llround(in.master_adver_int() * 1000)) + " milli-sec");
  }
  out.Prop("Accept", Enabled(in.accept()));
  out.Prop("Preempt", Enabled(!in.nopreempt()));
  if (double pd = in.preempt_delay(); pd > 0) out.Prop("Preempt delay", FormatG(pd) + " secs");
  out.Prop("Promote_secondaries", Enabled(in.promote_secondaries()));
  if (int auth = in.auth_type(); auth != 0) {
    out.Prop("Authentication type", auth == 2 ? "IPSEC_AH" : "SIMPLE_PASSWORD");
    if (auth == 1) out.Prop("Password", "********");  // Vigil never prints secrets
  } else if (version == 2) {
    out.Prop("Authentication type", "none");
  }
  auto address_list = [&](bool excluded, const char* title) {
    auto lines = in.address_lines(excluded);
    if (lines.empty()) return;
    out.Line(std::string("   ") + title + " (" + std::to_string(lines.size()) + "):");
    for (const auto& l : lines) out.Line("     " + l);
  };
  address_list(false, "Virtual IP");
  address_list(true, "Virtual IP Excluded");
  if (in.conf && !in.conf->unicast_peers.empty()) {
    if (in.tuning()->unicast_ttl)
      out.Prop("Unicast TTL", std::to_string(*in.tuning()->unicast_ttl));
    bool check_src = in.tuning()->check_unicast_src || in.global().vrrp_check_unicast_src;
    for (const auto& p : in.conf->unicast_peers) check_src |= p.min_ttl || p.max_ttl;
    out.Line("   Check unicast src : " + YesNo(check_src));
    out.Line("   Unicast Peer :");
    for (const auto& p : in.conf->unicast_peers) {
      out.Line("     " + p.address.ToString() + " min_ttl " +
               std::to_string(p.min_ttl.value_or(0)) + " max_ttl " +
               std::to_string(p.max_ttl.value_or(255)));
    }
  }
  auto words = [&](const std::vector<model::RouteConf>& list, const char* title) {
    if (list.empty()) return;
    out.Line(std::string("   ") + title + " :");
    for (const auto& r : list) out.Line("     " + base::Join(r.words, " "));
  };
  if (in.conf) {
    words(in.conf->virtual_routes, "Virtual Routes");
    words(in.conf->virtual_rules, "Virtual Rules");
  }
  auto tracked = [&](std::string_view type, const char* title) {
    bool any = false;
    for (const auto& t : in.tracking()) {
      if (Str(t, "type") != type) continue;
      if (!any) out.Line(std::string("   ") + title + " :");
      any = true;
      out.Line("     " + Str(t, "name") + " weight " + std::to_string(Int(t, "weight")) +
               (Bool(t, "reverse") ? " reverse" : ""));
    }
  };
  tracked("interface", "Tracked interfaces");
  tracked("script", "Tracked scripts");
  tracked("file", "Tracked files");
  tracked("process", "Tracked processes");
  out.Prop("Using smtp notification", YesNo(in.smtp_alert()));
  out.Prop("Notify deleted", in.notify_deleted() ? "Deleted" : "Fault");
  if (in.conf) WriteNotifyScripts(out, in.conf->notify.get());
  out.Prop("Notify priority changes", TrueFalse(in.notify_priority_changes()));
}

// A sync group's state, from its members': FAULT if one is, MASTER if all are, INIT while
// one has not started, else BACKUP.
std::string GroupState(const model::SyncGroupConf& g, const std::vector<Instance>& all) {
  bool all_master = !g.members.empty(), any_init = false;
  for (const auto& m : g.members) {
    std::string s = "INIT";
    for (const auto& in : all) {
      if (in.name() == m) s = in.state();
    }
    if (s == "FAULT") return s;
    all_master &= s == "MASTER";
    any_init |= s == "INIT";
  }
  return all_master ? "MASTER" : any_init ? "INIT" : "BACKUP";
}

void WriteScript(TextOut& out, const model::VrrpScriptConf& s, const std::vector<Instance>& all) {
  const json* first = nullptr;
  std::vector<std::string> trackers;
  for (const auto& in : all) {
    for (const auto& t : in.tracking()) {
      if (Str(t, "type") != "script" || Str(t, "name") != s.name) continue;
      if (!first) first = &t;
      trackers.push_back(in.name() + ", weight " + std::to_string(Int(t, "weight")) +
                         (Bool(t, "reverse") ? " reverse" : ""));
    }
  }
  std::string status;
  if (!first || Int(*first, "runs") == 0) {
    status = s.init_fail ? "INIT/FAILED" : "INIT";
  } else {
    status = Bool(*first, "up") ? "GOOD" : "BAD";
  }
  out.Line(" VRRP Script = " + s.name);
  out.Prop("Command", Command(s.script.argv));
  out.Prop("Interval", std::to_string(static_cast<int64_t>(Seconds(s.interval))) + " sec");
  out.Prop("Timeout",
           std::to_string(static_cast<int64_t>(s.timeout ? Seconds(*s.timeout) : 0.0)) + " sec");
  out.Prop("Weight", std::to_string(s.weight) + (s.weight_reverse ? " reverse" : ""));
  out.Prop("Rise", std::to_string(s.rise));
  out.Prop("Fall", std::to_string(s.fall));
  out.Prop("Insecure", YesNo(first && Bool(*first, "refused")));
  out.Prop("Status", status);
  out.Line("   VRRP instances :");
  out.Line("   Tracking instances :");
  for (const auto& t : trackers) out.Line("     " + t);
  out.Prop("State", first && Bool(*first, "running") ? "running" : "idle");
}

// ---- keepalived.json ----

class JsonOut {
 public:
  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view k) {
    Separate();
    Quote(k);
    out_ += ':';
    first_ = true;
  }
  void String(std::string_view v) {
    Separate();
    Quote(v);
  }
  void Raw(std::string_view v) {
    Separate();
    out_ += v;
  }
  void Field(std::string_view k, std::string_view v) {
    Key(k);
    String(v);
  }
  void Uint(std::string_view k, uint64_t v) {
    Key(k);
    Raw(std::to_string(v));
  }
  void Int(std::string_view k, int64_t v) {
    Key(k);
    Raw(std::to_string(v));
  }
  void Bool(std::string_view k, bool v) {
    Key(k);
    Raw(v ? "true" : "false");
  }
  void Float(std::string_view k, double v) {
    Key(k);
    Raw(FormatG(v));
  }
  // An array of strings, left out when empty (as keepalived does).
  void List(std::string_view k, const std::vector<std::string>& items) {
    if (items.empty()) return;
    Key(k);
    BeginArray();
    for (const auto& i : items) String(i);
    EndArray();
  }
  std::string Take() { return std::move(out_); }

 private:
  void Open(char c) {
    Separate();
    out_ += c;
    first_ = true;
  }
  void Close(char c) {
    out_ += c;
    first_ = false;
  }
  void Separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void Quote(std::string_view s) {
    out_ += '"';
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      switch (ch) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\r':
          out_ += "\\r";
          break;
        default:
          if (c < 0x20) {
            constexpr char kHex[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 0xF];
          } else {
            out_ += ch;
          }
      }
    }
    out_ += '"';
  }

  std::string out_;
  bool first_ = true;
};

void WriteJsonData(JsonOut& w, const Instance& in) {
  w.Key("data");
  w.BeginObject();
  w.Field("iname", in.name());
  w.Uint("dont_track_primary", in.conf && in.conf->dont_track_primary ? 1 : 0);
  w.Uint("skip_check_adv_addr", in.skip_check_adv_addr() ? 1 : 0);
  w.Uint("strict_mode", in.strict() ? 1 : 0);
  w.Field("vmac_ifname", in.vmac());
  w.Field("ifp_ifname", in.ifp());
  if (Member(in.st, "master_priority").is_number()) {
    w.Uint("master_priority", static_cast<uint64_t>(Int(in.st, "master_priority")));
  }
  if (auto lt = Num(in.st, "last_transition")) {
    w.Key("last_transition");
    w.Raw(FormatFixed6(*lt));
  }
  w.Float("garp_delay", in.garp_delay());
  w.Uint("garp_refresh", static_cast<uint64_t>(in.garp_refresh()));
  w.Uint("garp_rep", static_cast<uint64_t>(in.garp_repeat()));
  w.Uint("garp_refresh_rep", static_cast<uint64_t>(in.garp_refresh_repeat()));
  w.Uint("garp_lower_prio_delay", static_cast<uint64_t>(in.garp_lower_prio_delay()));
  w.Uint("garp_lower_prio_rep", static_cast<uint64_t>(in.garp_lower_prio_repeat()));
  w.Uint("lower_prio_no_advert", in.lower_prio_no_advert() ? 1 : 0);
  w.Uint("higher_prio_send_advert", in.higher_prio_send_advert() ? 1 : 0);
  w.Uint("vrid", static_cast<uint64_t>(in.vrid()));
  w.Uint("base_priority", static_cast<uint64_t>(in.base_priority()));
  w.Uint("effective_priority", static_cast<uint64_t>(in.effective_priority()));
  w.Bool("vipset", in.vips_set());
  w.Bool("promote_secondaries", in.promote_secondaries());
  w.Float("adver_int", in.advert_int());
  w.Float("master_adver_int", in.master_adver_int());
  w.Uint("accept", in.accept() ? 1 : 0);
  w.Bool("nopreempt", in.nopreempt());
  w.Uint("preempt_delay", static_cast<uint64_t>(in.preempt_delay()));
  w.Uint("state", static_cast<uint64_t>(StateNumber(in.state())));
  w.Uint("wantstate", static_cast<uint64_t>(StateNumber(in.wantstate())));
  w.Uint("version", static_cast<uint64_t>(in.version()));
  w.Bool("smtp_alert", in.smtp_alert());
  w.Bool("notify_deleted", in.notify_deleted());
  if (in.conf) {
    const model::NotifyScripts& n = in.conf->notify.get();
    auto script = [&](std::string_view key, const std::optional<model::Script>& s) {
      if (s) w.Field(key, Command(s->argv));
    };
    script("script_backup", n.backup);
    script("script_master", n.master);
    script("script_fault", n.fault);
    script("script_stop", n.stop);
    script("script_deleted", n.deleted);
    script("script", n.generic);
    script("script_master_rx_lower_pri", n.master_rx_lower_pri);
  }
  w.List("vips", in.addresses(false));
  w.List("evips", in.addresses(true));
  if (in.conf) {
    auto lines = [](const std::vector<model::RouteConf>& list) {
      std::vector<std::string> out;
      for (const auto& r : list) out.push_back(base::Join(r.words, " "));
      return out;
    };
    w.List("vroutes", lines(in.conf->virtual_routes));
    w.List("vrules", lines(in.conf->virtual_rules));
  }
  std::vector<std::string> ifps, scripts, processes;
  for (const auto& t : in.tracking()) {
    std::string type = Str(t, "type"), name = Str(t, "name");
    if (type == "interface") ifps.push_back(name);
    if (type == "process") processes.push_back(name);
    if (type == "script") {
      // keepalived lists a tracked script by its command line.
      const model::VrrpScriptConf* s = FindScript(in.config, name);
      scripts.push_back(s ? Command(s->script.argv) : name);
    }
  }
  w.List("track_ifp", ifps);
  w.List("track_script", scripts);
  w.List("track_process", processes);
  int auth = in.auth_type();
  w.Uint("auth_type", static_cast<uint64_t>(auth));
  if (auth != 0) w.Field("auth_data", "********");
  w.EndObject();
}

// keepalived's counters, in its order, with its JSON names (those of the status document).
constexpr std::string_view kCounters[] = {
    "advert_rcvd",    "advert_sent",         "become_master",     "release_master",
    "packet_len_err", "advert_interval_err", "ip_ttl_err",        "invalid_type_rcvd",
    "addr_list_err",  "invalid_authtype",    "authtype_mismatch", "auth_failure",
    "pri_zero_rcvd",  "pri_zero_sent"};

void WriteJsonStats(JsonOut& w, const Instance& in) {
  const json& stats = Member(in.st, "stats");
  w.Key("stats");
  w.BeginObject();
  for (auto name : kCounters) w.Uint(name, Counter(stats, name));
  w.EndObject();
}

// json_version 2's track_process: the tracked processes some instance follows, with the
// count and quorum the status reports.
void WriteJsonProcesses(JsonOut& w, const std::vector<Instance>& all, const model::Config& config) {
  std::vector<std::pair<const model::TrackProcessConf*, const json*>> found;
  for (const auto& p : config.track_processes) {
    const json* st = nullptr;
    for (const auto& in : all) {
      for (const auto& t : in.tracking()) {
        if (!st && Str(t, "type") == "process" && Str(t, "name") == p.name) st = &t;
      }
    }
    if (st) found.emplace_back(&p, st);
  }
  if (found.empty()) return;
  w.Key("track_process");
  w.BeginArray();
  for (const auto& [p, st] : found) {
    w.BeginObject();
    w.Field("process", p->process);
    if (!p->parameters.empty()) w.Field("parameters", base::Join(p->parameters, " "));
    std::string match = !p->param_match.empty() ? p->param_match
                        : p->parameters.empty() ? "none"
                                                : "exact";
    w.Field("param_match", match);
    w.Uint("min_processes", static_cast<uint64_t>(p->quorum));
    if (p->quorum_max) w.Uint("max_processes", static_cast<uint64_t>(*p->quorum_max));
    w.Uint("current_processes", static_cast<uint64_t>(Int(*st, "count")));
    w.Bool("have_quorum", Bool(*st, "up"));
    w.Int("weight", p->weight_reverse ? -p->weight : p->weight);
    w.Float("terminate_delay", p->terminate_delay ? Seconds(*p->terminate_delay) : 0.0);
    w.Float("fork_delay", p->fork_delay ? Seconds(*p->fork_delay) : 0.0);
    w.Bool("full_command", p->full_command);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string KeepalivedData(const nlohmann::json& vrrp_status, const model::Config& config) {
  std::vector<Instance> all = InstancesOf(vrrp_status, config);
  TextOut out;
  if (!all.empty()) {
    out.Line("------< VRRP Topology >------");
    for (const auto& in : all) WriteInstance(out, in);
  }
  bool groups = false;
  for (const auto& g : config.sync_groups) {
    if (!groups) out.Line("------< VRRP Sync groups >------");
    groups = true;
    out.Line(" VRRP Sync Group = " + g.name + ", " + GroupState(g, all));
    if (!g.members.empty()) {
      out.Line("   VRRP member instances :");
      for (const auto& m : g.members) out.Line("     " + m);
    }
    bool smtp = g.smtp_alert.value_or(
        config.global.smtp_alert_vrrp.value_or(config.global.smtp_alert.value_or(false)));
    out.Prop("Using smtp notification", YesNo(smtp));
    WriteNotifyScripts(out, g.notify.get());
  }
  // Only the scripts an instance follows: keepalived does not run the others.
  bool scripts = false;
  for (const auto& s : config.vrrp_scripts) {
    bool tracked = false;
    for (const auto& in : all) {
      for (const auto& t : in.tracking()) {
        tracked |= Str(t, "type") == "script" && Str(t, "name") == s.name;
      }
    }
    if (!tracked) continue;
    if (!scripts) out.Line("------< VRRP Scripts >------");
    scripts = true;
    WriteScript(out, s, all);
  }
  return out.Take();
}

std::string KeepalivedStats(const nlohmann::json& vrrp_status) {
  TextOut out;
  for (const auto& st : Instances(vrrp_status)) {
    if (!st.is_object()) continue;
    const json& s = Member(st, "stats");
    auto n = [&](std::string_view key) { return std::to_string(Counter(s, key)); };
    out.Line("VRRP Instance: " + Str(st, "name"));
    out.Line("  Advertisements:");
    out.Line("    Received: " + n("advert_rcvd"));
    out.Line("    Sent: " + n("advert_sent"));
    out.Line("  Became master: " + n("become_master"));
    out.Line("  Released master: " + n("release_master"));
    out.Line("  Packet Errors:");
    out.Line("    Length: " + n("packet_len_err"));
    out.Line("    TTL: " + n("ip_ttl_err"));
    out.Line("    Invalid Type: " + n("invalid_type_rcvd"));
    out.Line("    Advertisement Interval: " + n("advert_interval_err"));
    out.Line("    Address List: " + n("addr_list_err"));
    out.Line("  Authentication Errors:");
    out.Line("    Invalid Type: " + n("invalid_authtype"));
    out.Line("    Type Mismatch: " + n("authtype_mismatch"));
    out.Line("    Failure: " + n("auth_failure"));
    out.Line("  Priority Zero:");
    out.Line("    Received: " + n("pri_zero_rcvd"));
    out.Line("    Sent: " + n("pri_zero_sent"));
  }
  return out.Take();
}

std::string KeepalivedJson(const nlohmann::json& vrrp_status, const model::Config& config) {
  std::vector<Instance> all = InstancesOf(vrrp_status, config);
  bool v2 = config.global.json_version == 2;
  JsonOut w;
  if (v2) {
    w.BeginObject();
    w.Key("vrrp");
  }
  w.BeginArray();
  for (const auto& in : all) {
    w.BeginObject();
    WriteJsonData(w, in);
    WriteJsonStats(w, in);
    w.EndObject();
  }
  w.EndArray();
  if (v2) {
    WriteJsonProcesses(w, all, config);
    w.EndObject();
  }
  return w.Take() + "\n";
}

}  // namespace vigil::control
