// control::RenderMetrics against the status document of docs/CONTROL.md, checked through a
// small parser of the text exposition format; and daemon::MetricsServer over loopback TCP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "control/metrics.h"
#include "daemon/metrics_server.h"

namespace vigil {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// A parser of the text exposition format 0.0.4, strict where Vigil's output must be.

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Parsed {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> "gauge" | "counter"
  std::map<std::string, std::string> helps;  // family -> HELP text (unescaped)
  std::vector<std::string> errors;           // empty when the text is valid

  // The value of the series NAME{labels}, if it is exposed.
  std::optional<double> Value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nullopt;
  }
  size_t Count(const std::string& name) const {
    size_t n = 0;
    for (const auto& s : samples) n += s.name == name;
    return n;
  }
};

bool ValidName(const std::string& name, bool label) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (!label && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

Parsed ParseExposition(const std::string& text) {
  Parsed out;
  std::set<std::string> done;    // families whose samples are over
  std::set<std::string> series;  // NAME{labels} seen, to find duplicates
  std::string current;           // the family whose TYPE came last
  size_t pos = 0;
  size_t line_no = 0;
  if (!text.empty() && text.back() != '\n') out.errors.push_back("no final line feed");
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    auto error = [&](const std::string& what) {
      out.errors.push_back("line " + std::to_string(line_no) + ": " + what + ": " + line);
    };
    if (line.empty()) {
      error("empty line");
      continue;
    }
    if (line[0] == '#') {
      if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
        bool is_type = line[2] == 'T';
        size_t sp = line.find(' ', 7);
        std::string family = line.substr(7, sp == std::string::npos ? sp : sp - 7);
        std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
        if (!ValidName(family, false)) error("bad family name");
        if (is_type) {
          if (out.types.count(family)) error("second TYPE");
          if (rest != "gauge" && rest != "counter") error("unknown type");
          if (done.count(family)) error("TYPE after samples");
          out.types[family] = rest;
          if (!current.empty() && current != family) done.insert(current);
          current = family;
        } else {
          if (out.helps.count(family)) error("second HELP");
          std::string help;
          for (size_t i = 0; i < rest.size(); ++i) {
            if (rest[i] == '\\' && i + 1 < rest.size()) {
              ++i;
              if (rest[i] == 'n') {
                help += '\n';
              } else if (rest[i] == '\\') {
                help += '\\';
              } else {
                error("bad escape in HELP");
              }
            } else {
              help += rest[i];
            }
          }
          out.helps[family] = help;
        }
      }
      continue;
    }
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!ValidName(s.name, false)) error("bad metric name");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') {
          error("bad label");
          break;
        }
        std::string label = line.substr(i, eq - i);
        if (!ValidName(label, true)) error("bad label name");
        std::string value;
        size_t k = eq + 2;
        bool closed = false;
        for (; k < line.size(); ++k) {
          if (line[k] == '\\') {
            if (++k >= line.size()) break;
            if (line[k] == 'n') {
              value += '\n';
            } else if (line[k] == '\\' || line[k] == '"') {
              value += line[k];
            } else {
              error("bad escape in label value");
            }
          } else if (line[k] == '"') {
            closed = true;
            break;
          } else {
            value += line[k];
          }
        }
        if (!closed) {
          error("unterminated label value");
          break;
        }
        if (s.labels.count(label)) error("label twice");
        s.labels[label] = value;
        i = k + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size() || line[i] != '}') {
        error("no closing brace");
        continue;
      }
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') {
      error("no value");
      continue;
    }
    std::string value = line.substr(i + 1);
    size_t used = 0;
    try {
      s.value = std::stod(value, &used);
    } catch (...) {
      used = std::string::npos;
    }
    if (used != value.size()) error("bad value");
    if (s.name != current) error("sample outside its family's TYPE");
    if (!series.insert(line.substr(0, i)).second) error("series twice");
    out.samples.push_back(std::move(s));
  }
  for (const auto& [family, type] : out.types) {
    if (!out.helps.count(family)) out.errors.push_back("no HELP for " + family);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The documented status: two instances (MASTER and BACKUP) sharing a script, one virtual server
// with two real servers, the processes.

json Status() {
  return json::parse(R"({
    "instances": [
      {"name": "VI_1", "state": "MASTER", "interface": "eth0", "vmac_interface": "",
       "vrid": 51, "version": 2, "base_priority": 150, "effective_priority": 150,
       "advert_int": 1.0, "master_adver_int": 1.0,
       "vips": ["192.0.2.100/24", "192.0.2.101/24"], "fault_reason": "",
       "tracking": [
         {"type": "interface", "name": "eth1", "up": true, "weight": 0, "reverse": false},
         {"type": "script", "name": "chk_web", "up": true, "weight": -60, "reverse": false,
          "runs": 12, "failures": 0, "timeouts": 0, "skipped": 0, "running": false,
          "last_status": 0, "refused": false},
         {"type": "file", "name": "prio_file", "value": 0, "weight": 1, "reverse": false}],
       "stats": {"advert_rcvd": 3, "advert_sent": 1200, "become_master": 1,
                 "release_master": 0, "packet_len_err": 4, "advert_interval_err": 5,
                 "ip_ttl_err": 6, "invalid_type_rcvd": 7, "addr_list_err": 8,
                 "invalid_authtype": 9, "authtype_mismatch": 10, "auth_failure": 11,
                 "pri_zero_rcvd": 12, "pri_zero_sent": 13, "ah_replay": 0}},
      {"name": "VI_2", "state": "BACKUP", "interface": "eth1", "vmac_interface": "vrrp.52",
       "vrid": 52, "version": 3, "base_priority": 100, "effective_priority": 40,
       "advert_int": 1.0, "master_adver_int": 1.0,
       "vips": ["2001:db8::52/64"], "fault_reason": "",
       "tracking": [
         {"type": "script", "name": "chk_web", "up": true, "weight": -60, "reverse": false},
         {"type": "script", "name": "chk_db", "up": false, "weight": -60, "reverse": false}],
       "stats": {"advert_rcvd": 900, "advert_sent": 2, "become_master": 1,
                 "release_master": 1, "packet_len_err": 0, "advert_interval_err": 0,
                 "ip_ttl_err": 0, "invalid_type_rcvd": 0, "addr_list_err": 0,
                 "invalid_authtype": 0, "authtype_mismatch": 0, "auth_failure": 0,
                 "pri_zero_rcvd": 1, "pri_zero_sent": 0}}
    ],
    "dataplane": "nftables",
    "virtual_servers": [
      {"name": "[192.0.2.10]:tcp:80", "quorum": true, "suspended": false, "live_weight": 6,
       "real_servers": [
         {"address": "198.51.100.1", "port": 80, "alive": true, "weight": 1,
          "checkers": [
            {"type": "HTTP_GET", "up": true, "checks": 12, "failures": 1,
             "failures_by_reason": {"connect-refused": 1},
             "last_failure": "connect-refused", "last_detail": "/: Connection refused"}]},
         {"address": "198.51.100.2", "port": 8080, "alive": false, "weight": 5,
          "checkers": [
            {"type": "TCP_CHECK", "up": false, "checks": 20, "failures": 7,
             "failures_by_reason": {"connect-timeout": 4, "connect-refused": 3},
             "last_failure": "connect-timeout", "last_detail": ""},
            {"type": "MISC_CHECK", "up": true, "checks": 3, "failures": 0,
             "failures_by_reason": {}, "last_failure": "", "last_detail": ""}]}],
       "programmed": []}
    ],
    "lb": {"dataplane": "nftables", "applies": 9, "apply_failures": 2, "last_apply_error": ""},
    "processes": [
      {"role": "supervisor", "pid": 2100, "running": true},
      {"role": "vrrp", "pid": 2108, "running": true, "starts": 2, "restarts": 1,
       "last_exit": 137},
      {"role": "checker", "pid": 0, "running": false, "starts": 1, "restarts": 0,
       "last_exit": null}
    ]
  })");
}

Parsed Render(const json& status) {
  std::string text = control::RenderMetrics(status);
  Parsed p = ParseExposition(text);
  for (const auto& e : p.errors) ADD_FAILURE() << e << "\nin:\n" << text;
  return p;
}

using L = std::map<std::string, std::string>;

TEST(MetricsRender, ParsesAsPrometheusText) {
  Parsed p = Render(Status());
  EXPECT_GT(p.samples.size(), 50u);
  EXPECT_EQ(p.types.size(), p.helps.size());
}

TEST(MetricsRender, KeepalivedUpAndTypes) {
  Parsed p = Render(Status());
  EXPECT_EQ(p.Value("keepalived_up"), 1);
  EXPECT_EQ(p.types["keepalived_up"], "gauge");
  EXPECT_EQ(p.types["keepalived_vrrp_state"], "gauge");
  EXPECT_EQ(p.types["keepalived_script_status"], "gauge");
  EXPECT_EQ(p.types["keepalived_advertisements_received_total"], "counter");
  EXPECT_EQ(p.types["vigil_checker_failures_by_reason_total"], "counter");
  EXPECT_EQ(p.types["vigil_process_running"], "gauge");
  EXPECT_EQ(p.types["vigil_process_restarts_total"], "counter");
  EXPECT_FALSE(p.helps["keepalived_vrrp_state"].empty());
  std::string text = control::RenderMetrics(Status());
  EXPECT_NE(text.find("# TYPE keepalived_up gauge\nkeepalived_up 1\n"), std::string::npos);
}

TEST(MetricsRender, VrrpStatePerVip) {
  Parsed p = Render(Status());
  EXPECT_EQ(p.Count("keepalived_vrrp_state"), 3u);
  EXPECT_EQ(
      p.Value(
          "keepalived_vrrp_state",
          L{{"iname", "VI_1"}, {"intf", "eth0"}, {"vrid", "51"}, {"ip_address", "192.0.2.100/24"}}),
      2);
  EXPECT_EQ(
      p.Value(
          "keepalived_vrrp_state",
          L{{"iname", "VI_1"}, {"intf", "eth0"}, {"vrid", "51"}, {"ip_address", "192.0.2.101/24"}}),
      2);
  // The VMAC link is the interface the instance runs on, as keepalived's dump says.
  EXPECT_EQ(p.Value("keepalived_vrrp_state", L{{"iname", "VI_2"},
                                               {"intf", "vrrp.52"},
                                               {"vrid", "52"},
                                               {"ip_address", "2001:db8::52/64"}}),
            1);
}

TEST(MetricsRender, StateValues) {
  const std::pair<const char*, double> kStates[] = {
      {"INIT", 0}, {"BACKUP", 1}, {"MASTER", 2}, {"FAULT", 3}};
  for (const auto& [name, value] : kStates) {
    json status = {{"instances",
                    {{{"name", "VI"},
                      {"state", name},
                      {"interface", "eth0"},
                      {"vrid", 1},
                      {"vips", json::array()}}}}};
    Parsed p = Render(status);
    // No VIPs: one series with an empty ip_address, as the exporter gives.
    EXPECT_EQ(p.Value("keepalived_vrrp_state",
                      L{{"iname", "VI"}, {"intf", "eth0"}, {"vrid", "1"}, {"ip_address", ""}}),
              value)
        << name;
  }
  json unknown = {{"instances", {{{"name", "VI"}, {"state", "WEIRD"}, {"vrid", 1}}}}};
  EXPECT_EQ(Render(unknown).Count("keepalived_vrrp_state"), 0u);
}

TEST(MetricsRender, VrrpCounters) {
  Parsed p = Render(Status());
  const L vi1{{"iname", "VI_1"}, {"intf", "eth0"}, {"vrid", "51"}};
  const L vi2{{"iname", "VI_2"}, {"intf", "vrrp.52"}, {"vrid", "52"}};
  const std::pair<const char*, double> kVi1[] = {
      {"keepalived_advertisements_received_total", 3},
      {"keepalived_advertisements_sent_total", 1200},
      {"keepalived_become_master_total", 1},
      {"keepalived_release_master_total", 0},
      {"keepalived_packet_length_errors_total", 4},
      {"keepalived_advertisements_interval_errors_total", 5},
      {"keepalived_ip_ttl_errors_total", 6},
      {"keepalived_invalid_type_received_total", 7},
      {"keepalived_address_list_errors_total", 8},
      {"keepalived_authentication_invalid_total", 9},
      {"keepalived_authentication_mismatch_total", 10},
      {"keepalived_authentication_failure_total", 11},
      {"keepalived_priority_zero_received_total", 12},
      {"keepalived_priority_zero_sent_total", 13},
  };
  for (const auto& [name, value] : kVi1) {
    EXPECT_EQ(p.Value(name, vi1), value) << name;
    EXPECT_EQ(p.Count(name), 2u) << name;
    EXPECT_EQ(p.types[name], "counter") << name;
  }
  EXPECT_EQ(p.Value("keepalived_advertisements_received_total", vi2), 900);
  EXPECT_EQ(p.Value("keepalived_release_master_total", vi2), 1);
  EXPECT_EQ(p.Value("keepalived_priority_zero_received_total", vi2), 1);
  EXPECT_EQ(p.Value("vigil_vrrp_effective_priority", vi1), 150);
  EXPECT_EQ(p.Value("vigil_vrrp_effective_priority", vi2), 40);
  // Vigil's own counter (ah_replay) has no keepalived name.
  for (const auto& s : p.samples) EXPECT_EQ(s.name.find("replay"), std::string::npos);
}

TEST(MetricsRender, ScriptStatusOncePerScript) {
  Parsed p = Render(Status());
  EXPECT_EQ(p.Count("keepalived_script_status"), 2u);
  EXPECT_EQ(p.Value("keepalived_script_status", L{{"name", "chk_web"}}), 1);
  EXPECT_EQ(p.Value("keepalived_script_status", L{{"name", "chk_db"}}), 0);
}

TEST(MetricsRender, RealServersAndCheckers) {
  Parsed p = Render(Status());
  const std::string vs = "[192.0.2.10]:tcp:80";
  const L rs1{{"virtual_server", vs}, {"address", "198.51.100.1"}, {"port", "80"}};
  const L rs2{{"virtual_server", vs}, {"address", "198.51.100.2"}, {"port", "8080"}};
  EXPECT_EQ(p.Value("vigil_real_server_up", rs1), 1);
  EXPECT_EQ(p.Value("vigil_real_server_up", rs2), 0);
  EXPECT_EQ(p.Value("vigil_real_server_weight", rs1), 1);
  EXPECT_EQ(p.Value("vigil_real_server_weight", rs2), 5);

  auto with = [](L labels, std::initializer_list<std::pair<const std::string, std::string>> more) {
    labels.insert(more);
    return labels;
  };
  EXPECT_EQ(p.Value("vigil_checker_checks_total", with(rs1, {{"type", "HTTP_GET"}})), 12);
  EXPECT_EQ(p.Value("vigil_checker_failures_total", with(rs1, {{"type", "HTTP_GET"}})), 1);
  EXPECT_EQ(p.Value("vigil_checker_checks_total", with(rs2, {{"type", "TCP_CHECK"}})), 20);
  EXPECT_EQ(p.Value("vigil_checker_failures_total", with(rs2, {{"type", "TCP_CHECK"}})), 7);
  EXPECT_EQ(p.Value("vigil_checker_checks_total", with(rs2, {{"type", "MISC_CHECK"}})), 3);
  EXPECT_EQ(p.Count("vigil_checker_checks_total"), 3u);
  EXPECT_EQ(p.Value("vigil_checker_failures_by_reason_total",
                    with(rs1, {{"type", "HTTP_GET"}, {"reason", "connect-refused"}})),
            1);
  EXPECT_EQ(p.Value("vigil_checker_failures_by_reason_total",
                    with(rs2, {{"type", "TCP_CHECK"}, {"reason", "connect-timeout"}})),
            4);
  EXPECT_EQ(p.Value("vigil_checker_failures_by_reason_total",
                    with(rs2, {{"type", "TCP_CHECK"}, {"reason", "connect-refused"}})),
            3);
  EXPECT_EQ(p.Count("vigil_checker_failures_by_reason_total"), 3u);

  EXPECT_EQ(p.Value("vigil_virtual_server_quorum", L{{"virtual_server", vs}}), 1);
  EXPECT_EQ(p.Value("vigil_virtual_server_live_weight", L{{"virtual_server", vs}}), 6);
  EXPECT_EQ(p.Value("vigil_dataplane_applies_total", L{{"dataplane", "nftables"}}), 9);
  EXPECT_EQ(p.Value("vigil_dataplane_apply_failures_total", L{{"dataplane", "nftables"}}), 2);
}

// Check latency and transitions: the checker's last check duration and the real server's
// up/down changes, from the status members the checker engine adds.
TEST(MetricsRender, CheckLatencyAndTransitions) {
  nlohmann::json status = Status();
  auto& rs = status["virtual_servers"][0]["real_servers"][0];
  rs["transitions"] = 3;
  rs["checkers"][0]["last_check_seconds"] = 0.0125;
  Parsed p = Render(status);
  const L rs1{
      {"virtual_server", "[192.0.2.10]:tcp:80"}, {"address", "198.51.100.1"}, {"port", "80"}};
  EXPECT_EQ(p.Value("vigil_real_server_transitions_total", rs1), 3);
  L c = rs1;
  c.insert({"type", "HTTP_GET"});
  EXPECT_EQ(p.Value("vigil_checker_last_check_seconds", c), 0.0125);
}

TEST(MetricsRender, Processes) {
  Parsed p = Render(Status());
  EXPECT_EQ(p.Value("vigil_process_running", L{{"role", "supervisor"}}), 1);
  EXPECT_EQ(p.Value("vigil_process_running", L{{"role", "vrrp"}}), 1);
  EXPECT_EQ(p.Value("vigil_process_running", L{{"role", "checker"}}), 0);
  EXPECT_EQ(p.Value("vigil_process_restarts_total", L{{"role", "vrrp"}}), 1);
  EXPECT_EQ(p.Value("vigil_process_restarts_total", L{{"role", "checker"}}), 0);
  // The supervisor is never restarted: no series rather than a made-up 0.
  EXPECT_EQ(p.Count("vigil_process_restarts_total"), 2u);
}

TEST(MetricsRender, TwoCheckersOfOneTypeAreSummed) {
  json status = Status();
  auto& checkers = status["virtual_servers"][0]["real_servers"][0]["checkers"];
  checkers.push_back({{"type", "HTTP_GET"},
                      {"checks", 8},
                      {"failures", 2},
                      {"failures_by_reason", {{"connect-refused", 2}}}});
  Parsed p = Render(status);
  const L labels{{"virtual_server", "[192.0.2.10]:tcp:80"},
                 {"address", "198.51.100.1"},
                 {"port", "80"},
                 {"type", "HTTP_GET"}};
  EXPECT_EQ(p.Value("vigil_checker_checks_total", labels), 20);
  EXPECT_EQ(p.Value("vigil_checker_failures_total", labels), 3);
  L reason = labels;
  reason["reason"] = "connect-refused";
  EXPECT_EQ(p.Value("vigil_checker_failures_by_reason_total", reason), 3);
}

TEST(MetricsRender, LabelEscaping) {
  const std::string name = "chk \"web\" C:\\bin\nnext";
  json status = {{"instances",
                  {{{"name", "VI_1"},
                    {"state", "MASTER"},
                    {"interface", "eth0"},
                    {"vrid", 51},
                    {"tracking", {{{"type", "script"}, {"name", name}, {"up", true}}}}}}}};
  std::string text = control::RenderMetrics(status);
  EXPECT_NE(text.find(R"(keepalived_script_status{name="chk \"web\" C:\\bin\nnext"} 1)"),
            std::string::npos)
      << text;
  Parsed p = Render(status);
  EXPECT_EQ(p.Value("keepalived_script_status", L{{"name", name}}), 1);
}

TEST(MetricsRender, InvalidUtf8IsReplaced) {
  json status = {{"processes",
                  {{{"role", std::string("a\xff"
                                         "b")},
                    {"running", true}}}}};
  std::string text = control::RenderMetrics(status);
  EXPECT_NE(text.find("vigil_process_running{role=\"a\xEF\xBF\xBD"
                      "b\"} 1"),
            std::string::npos)
      << text;
}

TEST(MetricsRender, MissingChildrenGiveNoSeries) {
  // The supervisor's document while both children are being restarted.
  json status = {{"instances", json::array()},
                 {"processes",
                  {{{"role", "supervisor"}, {"running", true}},
                   {{"role", "vrrp"}, {"running", false}, {"restarts", 3}}}}};
  Parsed p = Render(status);
  EXPECT_EQ(p.Value("keepalived_up"), 0);
  EXPECT_EQ(p.Count("keepalived_vrrp_state"), 0u);
  EXPECT_EQ(p.Count("vigil_real_server_up"), 0u);
  EXPECT_EQ(p.types.count("keepalived_vrrp_state"), 0u);  // no samples, no TYPE
  EXPECT_EQ(p.Value("vigil_process_restarts_total", L{{"role", "vrrp"}}), 3);

  // Only the checker child answered.
  json checker_only = Status();
  checker_only["instances"] = json::array();
  Parsed c = Render(checker_only);
  EXPECT_EQ(c.Value("keepalived_up"), 1);
  EXPECT_EQ(c.Count("keepalived_advertisements_sent_total"), 0u);
  EXPECT_EQ(c.Count("vigil_real_server_up"), 2u);

  // Only the VRRP child.
  json vrrp_only = Status();
  vrrp_only.erase("virtual_servers");
  vrrp_only.erase("lb");
  vrrp_only.erase("dataplane");
  Parsed v = Render(vrrp_only);
  EXPECT_EQ(v.Value("keepalived_up"), 1);
  EXPECT_EQ(v.Count("vigil_dataplane_applies_total"), 0u);
  EXPECT_EQ(v.Count("vigil_real_server_up"), 0u);
}

TEST(MetricsRender, OddDocumentsDoNotThrow) {
  for (const char* doc : {"null", "[]", "42", "\"x\"", R"({"instances": 5})",
                          R"({"instances": [1, null, {"stats": 3, "vips": {}}]})",
                          R"({"virtual_servers": [{"real_servers": [{"checkers": [7]}]}]})",
                          R"({"lb": [], "processes": {"role": "x"}})"}) {
    std::string text;
    EXPECT_NO_THROW(text = control::RenderMetrics(json::parse(doc))) << doc;
    Parsed p = ParseExposition(text);
    EXPECT_TRUE(p.errors.empty()) << doc << "\n" << text;
  }
  EXPECT_EQ(control::RenderMetrics(json()),
            "# HELP keepalived_up Whether Vigil's VRRP or checker child reported its state.\n"
            "# TYPE keepalived_up gauge\nkeepalived_up 0\n");
}

TEST(MetricsRender, Deterministic) {
  EXPECT_EQ(control::RenderMetrics(Status()), control::RenderMetrics(Status()));
}

// ---------------------------------------------------------------------------------------------
// MetricsServer over loopback.

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<daemon::MetricsServer>(
        io_, "127.0.0.1:0", [this](std::function<void(std::string)> reply) {
          ++collects_;
          // Answered from a later handler, as the daemon's (which asks its children) is.
          boost::asio::post(io_, [reply] { reply("keepalived_up 1\n"); });
        });
  }
  void TearDown() override { StopIo(); }

  void StartIo() {
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void StopIo() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->Stop(); });
    work_.reset();
    thread_.join();
  }

  // A connected client socket with a 5 s receive timeout (no test can hang).
  int Connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << errno;
    return fd;
  }
  static bool SendAll(int fd, const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads one response (headers, then Content-Length bytes). Empty when the connection was
  // closed (or reset) before a whole one arrived.
  static std::string ReadResponse(int fd, std::string* pending) {
    std::string& in = *pending;
    auto fill = [&] {
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
      return true;
    };
    size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return "";
    }
    std::string head = in.substr(0, end + 4);
    size_t length = 0;
    for (const char* name : {"Content-Length: ", "content-length: "}) {
      size_t at = head.find(name);
      if (at != std::string::npos) length = std::stoul(head.substr(at + strlen(name)));
    }
    while (in.size() < end + 4 + length) {
      if (!fill()) return "";
    }
    std::string response = in.substr(0, end + 4 + length);
    in.erase(0, response.size());
    return response;
  }
  // Whether the server closed the connection: recv gives EOF (or a reset) rather than data.
  static bool Closed(int fd) {
    char c;
    ssize_t n = ::recv(fd, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }
  std::string Exchange(const std::string& request, bool may_fail = false) {
    int fd = Connect();
    bool sent = SendAll(fd, request);
    EXPECT_TRUE(sent || may_fail);
    std::string pending;
    std::string response = ReadResponse(fd, &pending);
    ::close(fd);
    return response;
  }

  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(io_);
  std::unique_ptr<daemon::MetricsServer> server_;
  std::thread thread_;
  std::atomic<int> collects_{0};
};

TEST_F(MetricsServerTest, GetMetrics) {
  StartIo();
  std::string r = Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"), std::string::npos)
      << r;
  EXPECT_NE(r.find("\r\n\r\nkeepalived_up 1\n"), std::string::npos) << r;
  EXPECT_EQ(collects_, 1);
  // A query string is the same resource.
  r = Exchange("GET /metrics?x=1 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << r;
}

TEST_F(MetricsServerTest, OtherPathsAndMethods) {
  StartIo();
  std::string r = Exchange("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 404 ", 0), 0u) << r;
  r = Exchange("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(r.rfind("HTTP/1.1 405 ", 0), 0u) << r;
  EXPECT_NE(r.find("Allow: GET\r\n"), std::string::npos) << r;
  r = Exchange("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 405 ", 0), 0u) << r;
  r = Exchange("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(r.empty() || r.rfind("HTTP/1.1 400 ", 0) == 0) << r;
  EXPECT_EQ(collects_, 0);
}

TEST_F(MetricsServerTest, KeepAlive) {
  StartIo();
  int fd = Connect();
  std::string pending;
  ASSERT_TRUE(SendAll(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string first = ReadResponse(fd, &pending);
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  ASSERT_TRUE(SendAll(fd,
                      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string second = ReadResponse(fd, &pending);
  EXPECT_EQ(second.rfind("HTTP/1.1 404 ", 0), 0u) << second;
  std::string third = ReadResponse(fd, &pending);
  EXPECT_EQ(third.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << third;
  EXPECT_TRUE(Closed(fd));
  ::close(fd);
  EXPECT_EQ(collects_, 2);
}

TEST_F(MetricsServerTest, OverlongHeader) {
  StartIo();
  int fd = Connect();
  std::string request =
      "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(10000, 'a') + "\r\n\r\n";
  SendAll(fd, request);  // may fail part way: the server is allowed to close early
  std::string pending;
  std::string r = ReadResponse(fd, &pending);
  EXPECT_TRUE(r.empty() || r.rfind("HTTP/1.1 431 ", 0) == 0) << r;
  EXPECT_TRUE(Closed(fd));
  ::close(fd);
  EXPECT_EQ(collects_, 0);
}

TEST_F(MetricsServerTest, IdleConnectionTimesOut) {
  server_->SetConnectionTimeoutForTest(std::chrono::milliseconds(200));
  StartIo();
  int fd = Connect();
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(Closed(fd));  // within SO_RCVTIMEO's 5 s, else recv fails with EAGAIN
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
  ::close(fd);
}

TEST_F(MetricsServerTest, AtMost64Connections) {
  StartIo();
  std::vector<int> idle;
  for (int i = 0; i < 64; ++i) idle.push_back(Connect());
  // Each idle connection is served once the server has accepted it; the 65th is then refused
  // (closed at once), whatever it sends.
  std::string r;
  for (int fd : idle) {
    ASSERT_TRUE(SendAll(fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::string pending;
    r = ReadResponse(fd, &pending);
    ASSERT_EQ(r.rfind("HTTP/1.1 404 ", 0), 0u) << r;
  }
  int extra = Connect();
  SendAll(extra, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(Closed(extra));
  ::close(extra);
  for (int fd : idle) ::close(fd);
  // Once they are gone, connections are served again (the server sees the closes soon).
  bool served = false;
  for (int attempt = 0; attempt < 200 && !served; ++attempt) {
    served =
        Exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", true).rfind("HTTP/1.1 200", 0) == 0;
  }
  EXPECT_TRUE(served);
}

TEST_F(MetricsServerTest, ListenAddresses) {
  std::string error;
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "::1:80", "[127.0.0.1]:80",
                          "[::1]80", "host.example:80", ""}) {
    daemon::MetricsServer s(io_, bad, [](std::function<void(std::string)>) {});
    EXPECT_FALSE(s.Start(&error)) << bad;
    EXPECT_NE(error.find("metrics listen"), std::string::npos) << error;
    EXPECT_EQ(s.port(), 0);
  }
  daemon::MetricsServer v6(io_, "[::1]:0", [](std::function<void(std::string)>) {});
  if (v6.Start(&error)) {  // a host without IPv6 loopback cannot bind it
    EXPECT_NE(v6.port(), 0);
    v6.Stop();
    EXPECT_EQ(v6.port(), 0);
  }
  // A port in use.
  ASSERT_TRUE(server_->Start(&error)) << error;
  daemon::MetricsServer twice(io_, "127.0.0.1:" + std::to_string(server_->port()),
                              [](std::function<void(std::string)>) {});
  EXPECT_FALSE(twice.Start(&error));
  EXPECT_NE(error.find("in use"), std::string::npos) << error;
}

}  // namespace
}  // namespace vigil
