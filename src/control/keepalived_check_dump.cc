#include "control/keepalived_check_dump.h"

#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string_view>

#include "control/json_read.h"

namespace vigil::control {

namespace {

using nlohmann::json;
using namespace json_read;  // NOLINT(google-build-using-namespace): this file's vocabulary
namespace d = model::defaults;

// C's "%f".
std::string Fixed6(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, 6);
  return std::string(buf, r.ptr);
}

double Seconds(model::Duration v) { return std::chrono::duration<double>(v).count(); }

std::string Usec(double seconds) {
  double us = seconds * 1e6 + 0.5;
  if (!(us > -9.2e18 && us < 9.2e18)) us = 0;  // NaN or beyond int64_t: no UB
  return std::to_string(static_cast<int64_t>(us)) + " us";
}

const char* OnOff(bool b) { return b ? "ON" : "OFF"; }
const char* YesNo(bool b) { return b ? "yes" : "no"; }
const char* Able(bool b) { return b ? "enabled" : "disabled"; }

const char* Method(const std::optional<model::ForwardingConf>& f) {
  if (!f) return d::kForwarding;
  switch (f->method) {
    case model::LvsMethod::kDr:
      return "DR";
    case model::LvsMethod::kTun:
      return "TUN";
    case model::LvsMethod::kNat:
      break;
  }
  return "NAT";
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The element of `list` the status entry `j` names by its "conf_index", if any.
template <typename List>
const typename List::value_type* ByIndex(const List& list, const json& j) {
  int64_t i = Int(j, "conf_index", -1);
  return i >= 0 && static_cast<size_t>(i) < list.size() ? &list[static_cast<size_t>(i)] : nullptr;
}

std::string Protocol(const model::VirtualServerConf* vs) {
  return vs && !vs->protocol.empty() ? vs->protocol : "TCP";
}

void VirtualServer(const json& v, const model::VirtualServerConf* vs, std::string& out) {
  auto line = [&out](std::string_view indent, const std::string& text) {
    out.append(indent).append(text).append("\n");
  };
  out += " ------< Virtual server >------\n";
  if (!vs) {
    line(" ", "VS = " + Str(v, "name"));
  } else if (vs->key_kind == model::VsKeyKind::kFwmark) {
    line(" ", "VS FWMARK = " + std::to_string(vs->fwmark));
  } else if (vs->key_kind == model::VsKeyKind::kGroup) {
    line(" ", "VS GROUP = " + vs->group);
  } else {
    line(" ", "VS VIP = " + vs->address.ToString() +
                  ", VPORT = " + std::to_string(vs->port.value_or(0)));
  }
  const std::string p = "   ";
  if (vs) {
    bool v6 = vs->key_kind == model::VsKeyKind::kAddress ? !vs->address.is_v4()
                                                         : vs->ip_family == "inet6";
    line(p, std::string("Address family = ") + (v6 ? "inet6" : "inet"));
    line(p, "connection timeout = " +
                Fixed6(Seconds(vs->connect_timeout.value_or(d::kConnectTimeout))));
    line(p, "delay_loop = " + Fixed6(Seconds(vs->delay_loop)));
    line(p, "lvs_sched = " + (vs->lb_algo.empty() ? std::string(d::kScheduler) : vs->lb_algo));
    line(p, std::string("Hashed = ") + Able(vs->hashed));
    line(p, std::string("flag-1 = ") + Able(vs->flag1));
    line(p, std::string("flag-2 = ") + Able(vs->flag2));
    line(p, std::string("flag-3 = ") + Able(vs->flag3));
    line(p, std::string("One packet scheduling = ") + Able(vs->ops));
    if (vs->persistence_timeout) {
      line(p, "persistence timeout = " +
                  std::to_string(static_cast<int64_t>(Seconds(*vs->persistence_timeout))));
    }
    if (vs->persistence_granularity) {
      line(p, "persistence granularity = " + vs->persistence_granularity->ToString());
    }
    line(p, "protocol = " + Protocol(vs));
    line(p, std::string("alpha is ") + OnOff(vs->alpha));
    line(p, std::string("omega is ") + OnOff(vs->omega));
    line(p, std::string("Inhibit on failure is ") + OnOff(vs->inhibit_on_failure.value_or(false)));
    line(p, "quorum = " + std::to_string(vs->quorum) +
                ", hysteresis = " + std::to_string(vs->hysteresis));
    line(p, std::string("Using smtp notification = ") + YesNo(vs->smtp_alert.value_or(false)));
    line(p, std::string("default forwarding method = ") + Method(vs->forwarding));
    if (vs->sorry_server) {
      line(p, "sorry server = [" + vs->sorry_server->ToString() + "]:" + Lower(Protocol(vs)) + ":" +
                  std::to_string(vs->sorry_server_port.value_or(vs->port.value_or(0))));
      line("     ",
           std::string("forwarding method = ") +
               Method(vs->sorry_server_forwarding ? vs->sorry_server_forwarding : vs->forwarding));
      line("     ", std::string("Inhibit on failure is ") + OnOff(vs->sorry_server_inhibit));
    }
  }
  // keepalived's "alive": the service is in the table; "quorum_state_up": it has quorum.
  line(p, std::string("alive = ") + (Array(v, "programmed").empty() ? "0" : "1"));
  line(p, std::string("quorum_state_up = ") + (Bool(v, "quorum") ? "1" : "0"));

  for (const auto& r : Array(v, "real_servers")) {
    const model::RealServerConf* rs = vs ? ByIndex(vs->real_servers, r) : nullptr;
    int64_t eff = Int(r, "weight");
    int initial = rs ? rs->weight : static_cast<int>(eff);
    line(p, "------< Real server >------");
    line(p, "RIP = " + Str(r, "address") + ", RPORT = " + std::to_string(Int(r, "port")) +
                ", WEIGHT = " + std::to_string(initial) + " EFF WEIGHT = " + std::to_string(eff));
    if (rs && vs) {
      line(p, std::string("forwarding method = ") +
                  Method(rs->forwarding ? rs->forwarding : vs->forwarding));
      line(p, std::string("Alpha is ") + OnOff(rs->alpha.value_or(vs->alpha)));
      line(p, "connection timeout = " + Fixed6(Seconds(rs->connect_timeout.value_or(
                                            vs->connect_timeout.value_or(d::kConnectTimeout)))));
      line(p, "Delay loop = " + Fixed6(Seconds(rs->delay_loop.value_or(vs->delay_loop))));
      line(p, std::string("Inhibit on failure is ") +
                  OnOff(rs->inhibit_on_failure.value_or(vs->inhibit_on_failure.value_or(false))));
      line(p, "initial weight = " + std::to_string(initial));
    }
    line(p, "effective weight = " + std::to_string(eff));
    line(p, std::string("alive = ") + (Bool(r, "alive") ? "1" : "0"));
    int failed = 0;
    for (const auto& c : Array(r, "checkers")) failed += Bool(c, "up") ? 0 : 1;
    line(p, "num failed checkers = " + std::to_string(failed));
    if (Bool(r, "disabled")) line(p, "disabled by the operator = yes");  // Vigil's own
  }
}

void Checker(const json& v, const model::VirtualServerConf* vs, const json& r, const json& c,
             const model::CheckerConf* conf, std::string& out) {
  auto line = [&out](std::string_view indent, const std::string& text) {
    out.append(indent).append(text).append("\n");
  };
  std::string rs_text =
      "[" + Str(r, "address") + "]:" + Lower(Protocol(vs)) + ":" + std::to_string(Int(r, "port"));
  line(" ", Str(v, "name") + " -> " + rs_text);
  const std::string p = "   ";
  const json& t = Member(c, "timing");
  line(p, std::string("Enabled = ") + YesNo(!Bool(v, "suspended")));
  line(p, std::string("Up = ") + YesNo(Bool(c, "up")));
  line(p, std::string("Has run = ") + YesNo(Counter(c, "checks") > 0));
  line(p, std::string("Alpha = ") + YesNo(Bool(t, "alpha")));
  line(p, "Delay loop = " + Usec(Num(t, "delay_loop").value_or(0)));
  line(p, "Warmup = " + Usec(Num(t, "warmup").value_or(0)));
  line(p, "Retries = " + std::to_string(Int(t, "retry")));
  line(p, "Delay before retry = " + Usec(Num(t, "delay_before_retry").value_or(0)));
  const json& target = Member(c, "target");
  line(p, "Connection");
  line("     ", "Dest = [" + Str(target, "address") + "]:" + std::to_string(Int(target, "port")));
  line("     ", "Timeout = " + Fixed6(Num(t, "connect_timeout").value_or(0)));
  line(p, "Keepalive method = " + Str(c, "type"));
  if (!conf) return;
  const auto& det = conf->details.get();
  if (conf->kind == model::CheckerKind::kHttp || conf->kind == model::CheckerKind::kSsl) {
    for (const auto& u : det.urls) {
      line(p, "Checked url = " + u.path);
      if (!u.digest.empty()) line("     ", "digest = " + u.digest);
      line("     ", "HTTP Status Code(s)");
      if (u.status_codes.empty()) {
        line("       ",
             std::to_string(d::kHttpStatusMin) + "-" + std::to_string(d::kHttpStatusMax));
      }
      for (const auto& s : u.status_codes) {
        line("       ", s.lo == s.hi ? std::to_string(s.lo)
                                     : std::to_string(s.lo) + "-" + std::to_string(s.hi));
      }
    }
  } else if (conf->kind == model::CheckerKind::kMisc && det.misc_path) {
    line(p, std::string("Dynamic = ") + YesNo(det.misc_dynamic));
  } else if (conf->kind == model::CheckerKind::kDns) {
    line(p, "Type = " + (det.dns_type.empty() ? std::string("SOA") : det.dns_type));
    line(p, "Name = " + (det.dns_name.empty() ? std::string(".") : det.dns_name));
  } else if (conf->kind == model::CheckerKind::kFile) {
    line(p, "Tracked file = " + det.track_file);
  }
}

}  // namespace

std::string KeepalivedCheckData(const json& checker_status, const model::Config& config) {
  std::string out = "------< LVS Topology >------\n";
  const json& vss = Array(checker_status, "virtual_servers");
  for (const auto& v : vss) VirtualServer(v, ByIndex(config.virtual_servers, v), out);
  out += "------< Health checkers >------\n";
  for (const auto& v : vss) {
    const model::VirtualServerConf* vs = ByIndex(config.virtual_servers, v);
    for (const auto& r : Array(v, "real_servers")) {
      const model::RealServerConf* rs = vs ? ByIndex(vs->real_servers, r) : nullptr;
      for (const auto& c : Array(r, "checkers")) {
        Checker(v, vs, r, c, rs ? ByIndex(rs->checkers, c) : nullptr, out);
      }
    }
  }
  return out;
}

std::string CheckDataPath(const std::string& state_dump_file) {
  if (state_dump_file.empty()) return "/tmp/keepalived_check.data";
  auto slash = state_dump_file.rfind('/');
  auto dot = state_dump_file.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) ||
      dot == (slash == std::string::npos ? 0 : slash + 1)) {
    return state_dump_file + "_check";
  }
  return state_dump_file.substr(0, dot) + "_check" + state_dump_file.substr(dot);
}

}  // namespace vigil::control
