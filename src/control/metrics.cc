#include "control/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::control {

namespace {

using nlohmann::json;

enum class Type { kGauge, kCounter };

struct FamilyDesc {
  std::string_view name;
  Type type;
  std::string_view help;
};

// The status document's VRRP counter names and the exporter's metric names for them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kVrrpCounters{{
    {"advert_rcvd", "keepalived_advertisements_received_total"},
    {"advert_sent", "keepalived_advertisements_sent_total"},
    {"become_master", "keepalived_become_master_total"},
    {"release_master", "keepalived_release_master_total"},
    {"packet_len_err", "keepalived_packet_length_errors_total"},
    {"advert_interval_err", "keepalived_advertisements_interval_errors_total"},
    {"ip_ttl_err", "keepalived_ip_ttl_errors_total"},
    {"invalid_type_rcvd", "keepalived_invalid_type_received_total"},
    {"addr_list_err", "keepalived_address_list_errors_total"},
    {"invalid_authtype", "keepalived_authentication_invalid_total"},
    {"authtype_mismatch", "keepalived_authentication_mismatch_total"},
    {"auth_failure", "keepalived_authentication_failure_total"},
    {"pri_zero_rcvd", "keepalived_priority_zero_received_total"},
    {"pri_zero_sent", "keepalived_priority_zero_sent_total"},
}};

// Every family, in the order of the exposition.
constexpr FamilyDesc kFamilies[] = {
    {"keepalived_up", Type::kGauge, "Whether Vigil's VRRP or checker child reported its state."},
    {"keepalived_vrrp_state", Type::kGauge,
     "VRRP instance state per virtual IP: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT."},
    {"keepalived_advertisements_received_total", Type::kCounter, "VRRP advertisements received."},
    {"keepalived_advertisements_sent_total", Type::kCounter, "VRRP advertisements sent."},
    {"keepalived_become_master_total", Type::kCounter, "Transitions to MASTER."},
    {"keepalived_release_master_total", Type::kCounter, "Transitions out of MASTER."},
    {"keepalived_packet_length_errors_total", Type::kCounter,
     "Advertisements dropped for their length."},
    {"keepalived_advertisements_interval_errors_total", Type::kCounter,
     "Advertisements whose interval differs from the configured one."},
    {"keepalived_ip_ttl_errors_total", Type::kCounter,
     "Advertisements dropped for a TTL or hop limit other than 255."},
    {"keepalived_invalid_type_received_total", Type::kCounter,
     "Packets dropped for an invalid VRRP type."},
    {"keepalived_address_list_errors_total", Type::kCounter,
     "Advertisements whose address list differs from the configured one."},
    {"keepalived_authentication_invalid_total", Type::kCounter,
     "Advertisements with an unknown authentication type."},
    {"keepalived_authentication_mismatch_total", Type::kCounter,
     "Advertisements with another authentication type than configured."},
    {"keepalived_authentication_failure_total", Type::kCounter,
     "Advertisements that failed authentication."},
    {"keepalived_priority_zero_received_total", Type::kCounter,
     "Advertisements with priority 0 received."},
    {"keepalived_priority_zero_sent_total", Type::kCounter, "Advertisements with priority 0 sent."},
    {"keepalived_script_status", Type::kGauge, "vrrp_script result: 0 BAD, 1 GOOD."},
    {"vigil_vrrp_effective_priority", Type::kGauge,
     "VRRP priority after tracked scripts, interfaces, files and processes."},
    {"vigil_real_server_up", Type::kGauge, "Whether all checkers of the real server are up."},
    {"vigil_real_server_weight", Type::kGauge, "Weight of the real server."},
    {"vigil_checker_checks_total", Type::kCounter, "Checks the checker has run."},
    {"vigil_checker_failures_total", Type::kCounter, "Checks that failed."},
    {"vigil_checker_last_check_seconds", Type::kGauge,
     "How long the checker's last check took (connect to verdict)."},
    {"vigil_real_server_transitions_total", Type::kCounter,
     "Times the real server went up or down (its checkers' verdict)."},
    {"vigil_checker_failures_by_reason_total", Type::kCounter,
     "Checks that failed, by named failure."},
    {"vigil_virtual_server_quorum", Type::kGauge,
     "Whether the virtual server's quorum is met (1) or lost (0)."},
    {"vigil_virtual_server_live_weight", Type::kGauge,
     "Total weight of the alive real servers of the virtual server."},
    {"vigil_dataplane_applies_total", Type::kCounter,
     "Load-balancer tables the dataplane was given."},
    {"vigil_dataplane_apply_failures_total", Type::kCounter,
     "Load-balancer tables the dataplane failed to apply."},
    {"vigil_process_running", Type::kGauge, "Whether the Vigil process runs."},
    {"vigil_process_restarts_total", Type::kCounter, "Times the child process was restarted."},
};

// Replaces what is not UTF-8 (a stray byte, an overlong form, a surrogate) with U+FFFD, since
// the exposition format requires UTF-8 label values.
std::string ValidUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len > 0 && i + len <= in.size();
    uint32_t cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
    for (size_t k = 1; ok && k < len; ++k) {
      auto d = static_cast<unsigned char>(in[i + k]);
      ok = (d & 0xC0) == 0x80;
      cp = (cp << 6) | (d & 0x3F);
    }
    constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

// Label values escape backslash, double quote and line feed; HELP text only the first and
// the last.
std::string Escape(std::string_view in, bool quote) {
  std::string out;
  out.reserve(in.size());
  for (char c : ValidUtf8(in)) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf.data(), end);
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// The samples of every family, in the order they were added; a label set seen again is
// summed (counters) or ignored (gauges), so no series is ever exposed twice.
class Exposition {
 public:
  void Add(std::string_view family, const Labels& labels, double value) {
    size_t f = 0;
    while (f < std::size(kFamilies) && kFamilies[f].name != family) ++f;
    if (f == std::size(kFamilies)) return;  // a name missing from kFamilies: a bug here
    std::string key;
    for (const auto& [name, text] : labels) {
      key += key.empty() ? "{" : ",";
      key.append(name).append("=\"").append(Escape(text, true)).append("\"");
    }
    if (!key.empty()) key += "}";
    auto& samples = samples_[f];
    auto [it, inserted] = samples.index.try_emplace(key, samples.order.size());
    if (inserted) {
      samples.order.emplace_back(std::move(key), value);
    } else if (kFamilies[f].type == Type::kCounter) {
      samples.order[it->second].second += value;
    }
  }

  std::string Render() const {
    std::string out;
    for (size_t f = 0; f < std::size(kFamilies); ++f) {
      const auto& desc = kFamilies[f];
      const auto& samples = samples_[f].order;
      if (samples.empty()) continue;
      out.append("# HELP ").append(desc.name).append(" ").append(Escape(desc.help, false));
      out.append("\n# TYPE ").append(desc.name);
      out.append(desc.type == Type::kCounter ? " counter\n" : " gauge\n");
      for (const auto& [labels, value] : samples) {
        out.append(desc.name).append(labels).append(" ").append(FormatValue(value)).append("\n");
      }
    }
    return out;
  }

 private:
  struct Samples {
    std::map<std::string, size_t> index;
    std::vector<std::pair<std::string, double>> order;
  };
  std::array<Samples, std::size(kFamilies)> samples_;
};

// Accessors that never throw: a missing member or one of another type is "absent".
const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json& Array(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json* j = Member(object, key);
  return j && j->is_array() ? *j : kEmpty;
}

std::optional<double> Number(const json* j) {
  if (!j) return std::nullopt;
  if (j->is_boolean()) return j->get<bool>() ? 1.0 : 0.0;
  if (j->is_number_unsigned()) return static_cast<double>(j->get<uint64_t>());
  if (j->is_number_integer()) return static_cast<double>(j->get<int64_t>());
  if (j->is_number()) return j->get<double>();
  return std::nullopt;
}

// A label value: a string as it is, a number in decimal, anything else empty.
std::string Text(const json* j) {
  if (!j) return "";
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number_unsigned()) return std::to_string(j->get<uint64_t>());
  if (j->is_number_integer()) return std::to_string(j->get<int64_t>());
  if (j->is_number()) return FormatValue(j->get<double>());
  return "";
}

void AddIf(Exposition& out, std::string_view family, const Labels& labels, const json* value) {
  if (auto v = Number(value)) out.Add(family, labels, *v);
}

std::optional<double> VrrpState(const json* state) {
  static constexpr std::string_view kStates[] = {"INIT", "BACKUP", "MASTER", "FAULT"};
  if (!state || !state->is_string()) return std::nullopt;
  const auto& s = state->get_ref<const std::string&>();
  for (size_t i = 0; i < std::size(kStates); ++i) {
    if (s == kStates[i]) return static_cast<double>(i);
  }
  return std::nullopt;
}

void AddInstance(Exposition& out, const json& in) {
  std::string intf = Text(Member(in, "vmac_interface"));
  if (intf.empty()) intf = Text(Member(in, "interface"));
  const Labels labels = {
      {"iname", Text(Member(in, "name"))}, {"intf", intf}, {"vrid", Text(Member(in, "vrid"))}};

  if (auto state = VrrpState(Member(in, "state"))) {
    const json& vips = Array(in, "vips");
    for (const auto& vip : vips) {
      // keepalived's exporter takes the first word of "ADDR/LEN dev IF scope ...".
      std::string address = Text(&vip);
      address = address.substr(0, address.find(' '));
      Labels l = labels;
      l.emplace_back("ip_address", address);
      out.Add("keepalived_vrrp_state", l, *state);
    }
    if (vips.empty()) {
      Labels l = labels;
      l.emplace_back("ip_address", "");
      out.Add("keepalived_vrrp_state", l, *state);
    }
  }
  if (const json* stats = Member(in, "stats")) {
    for (const auto& [key, family] : kVrrpCounters) AddIf(out, family, labels, Member(*stats, key));
  }
  for (const auto& t : Array(in, "tracking")) {
    if (Text(Member(t, "type")) != "script") continue;
    AddIf(out, "keepalived_script_status", {{"name", Text(Member(t, "name"))}}, Member(t, "up"));
  }
  AddIf(out, "vigil_vrrp_effective_priority", labels, Member(in, "effective_priority"));
}

void AddVirtualServer(Exposition& out, const json& vs) {
  std::string name = Text(Member(vs, "name"));
  const Labels vs_labels = {{"virtual_server", name}};
  AddIf(out, "vigil_virtual_server_quorum", vs_labels, Member(vs, "quorum"));
  AddIf(out, "vigil_virtual_server_live_weight", vs_labels, Member(vs, "live_weight"));
  for (const auto& rs : Array(vs, "real_servers")) {
    const Labels rs_labels = {{"virtual_server", name},
                              {"address", Text(Member(rs, "address"))},
                              {"port", Text(Member(rs, "port"))}};
    AddIf(out, "vigil_real_server_up", rs_labels, Member(rs, "alive"));
    AddIf(out, "vigil_real_server_weight", rs_labels, Member(rs, "weight"));
    AddIf(out, "vigil_real_server_transitions_total", rs_labels, Member(rs, "transitions"));
    for (const auto& c : Array(rs, "checkers")) {
      Labels labels = rs_labels;
      labels.emplace_back("type", Text(Member(c, "type")));
      AddIf(out, "vigil_checker_checks_total", labels, Member(c, "checks"));
      AddIf(out, "vigil_checker_failures_total", labels, Member(c, "failures"));
      AddIf(out, "vigil_checker_last_check_seconds", labels, Member(c, "last_check_seconds"));
      const json* reasons = Member(c, "failures_by_reason");
      if (!reasons || !reasons->is_object()) continue;
      for (const auto& [reason, count] : reasons->items()) {
        Labels l = labels;
        l.emplace_back("reason", reason);
        AddIf(out, "vigil_checker_failures_by_reason_total", l, &count);
      }
    }
  }
}

}  // namespace

std::string RenderMetrics(const json& status) {
  Exposition out;
  const json& instances = Array(status, "instances");
  const json& virtual_servers = Array(status, "virtual_servers");
  out.Add("keepalived_up", {}, !instances.empty() || !virtual_servers.empty() ? 1 : 0);

  for (const auto& in : instances) AddInstance(out, in);
  for (const auto& vs : virtual_servers) AddVirtualServer(out, vs);

  if (const json* lb = Member(status, "lb")) {
    std::string dataplane = Text(Member(*lb, "dataplane"));
    if (dataplane.empty()) dataplane = Text(Member(status, "dataplane"));
    const Labels labels = {{"dataplane", dataplane}};
    AddIf(out, "vigil_dataplane_applies_total", labels, Member(*lb, "applies"));
    AddIf(out, "vigil_dataplane_apply_failures_total", labels, Member(*lb, "apply_failures"));
  }
  for (const auto& p : Array(status, "processes")) {
    const Labels labels = {{"role", Text(Member(p, "role"))}};
    AddIf(out, "vigil_process_running", labels, Member(p, "running"));
    AddIf(out, "vigil_process_restarts_total", labels, Member(p, "restarts"));
  }
  return out.Render();
}

}  // namespace vigil::control
