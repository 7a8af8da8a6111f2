// keepalived's dump files from the VRRP status document and a configuration read through the
// real pipeline. The parsers below mirror mehdy/keepalived-exporter's (internal/collector/
// parser.go: ParseVRRPData, ParseVRRPScript, ParseStats, ParseVIP; collector.go: the JSON
// structs VRRP{Data VRRPData, Stats VRRPStats}), so that what they accept here the exporter
// accepts from Vigil's files.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "control/keepalived_check_dump.h"
#include "control/keepalived_dump.h"
#include "fakes/memory_file_source.h"

namespace vigil::control {
namespace {

using nlohmann::json;

model::Config LoadConfig(const std::string& text) {
  testing::MemoryFileSource fs;
  fs.Add("k.conf", text);
  config::LoadOptions opt;
  opt.preprocess.config_id = "main";
  opt.interface_exists = [](const std::string& n) { return n == "eth0" || n == "eth1"; };
  auto r = config::Load("k.conf", fs, opt);
  for (const auto& d : r.diags.all()) {
    EXPECT_LT(d.severity, base::Severity::kError) << d.ToString();
  }
  return r.config;
}

// ---- the exporter's parsers, in C++ ----

// Go's strings.TrimSpace (ASCII is enough here).
std::string TrimSpace(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(b, e - b + 1);
}
// Go's strings.Split with a one-character separator.
std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(sep, i);
    if (j == std::string::npos) {
      out.push_back(s.substr(i));
      return out;
    }
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}
bool HasPrefix(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool Contains(const std::string& s, char c) { return s.find(c) != std::string::npos; }
// Go's strconv.Atoi.
std::optional<int> Atoi(const std::string& s) {
  if (!std::regex_match(s, std::regex("[+-]?[0-9]+"))) return std::nullopt;
  return std::stoi(s);
}
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
const std::vector<std::string> kStates = {"INIT", "BACKUP", "MASTER", "FAULT"};
std::optional<int> StateIndex(const std::string& s) {
  for (size_t i = 0; i < kStates.size(); ++i) {
    if (kStates[i] == s) return static_cast<int>(i);
  }
  return std::nullopt;
}

struct VrrpData {
  int state = 0, wantstate = 0, garp_delay = 0, vrid = 0;
  std::string intf;
  std::vector<std::string> vips, excluded;
};
struct DataResult {
  std::map<std::string, VrrpData> data;
  std::string error;  // the exporter returns an error (and exports nothing)
};

// ParseVRRPData.
DataResult ParseVrrpData(const std::string& text) {
  DataResult r;
  std::string instance, key, val;
  for (const auto& l : Lines(text)) {
    if (HasPrefix(l, " VRRP Instance") && Contains(l, '=')) {
      instance = TrimSpace(Split(TrimSpace(l), '=')[1]);
      r.data[instance] = VrrpData{};
    } else if (HasPrefix(l, "   ") && !instance.empty()) {
      if (HasPrefix(l, "     ")) {
        val = TrimSpace(l);
      } else {
        std::vector<std::string> args;
        if (Contains(l, '=')) {
          args = Split(TrimSpace(l), '=');
        } else if (Contains(l, ':')) {
          args = Split(TrimSpace(l), ':');
        } else {
          continue;
        }
        key = TrimSpace(args[0]);
        if (key == "Virtual IP") continue;  // isKeyArray
        val = TrimSpace(args[1]);
      }
      VrrpData& d = r.data[instance];
      if ((HasPrefix(key, "Virtual IP (") || key == "Virtual IP") && !val.empty()) {
        d.vips.push_back(TrimSpace(val));
      }
      if (HasPrefix(key, "Virtual IP Excluded") && !val.empty()) d.excluded.push_back(val);
      if (key == "State" || key == "Wantstate") {
        auto s = StateIndex(val);
        if (!s) {
          r.error = "unknown " + key + " " + val;
          return r;
        }
        (key == "State" ? d.state : d.wantstate) = *s;
      } else if (key == "Interface" || key == "Listening device") {
        d.intf = val;
      } else if (key == "Gratuitous ARP delay" || key == "Virtual Router ID") {
        auto n = Atoi(val);
        if (!n) {
          r.error = "not a number: " + key + " " + val;
          return r;
        }
        (key == "Virtual Router ID" ? d.vrid : d.garp_delay) = *n;
      }
    } else if (HasPrefix(l, " VRRP Version") || HasPrefix(l, " VRRP Script")) {
      continue;
    } else {
      instance.clear();
    }
  }
  return r;
}

struct VrrpScript {
  std::string name, status, state;
};
// ParseVRRPScript.
std::vector<VrrpScript> ParseVrrpScript(const std::string& text) {
  std::vector<VrrpScript> out;
  VrrpScript s;
  for (const auto& l : Lines(text)) {
    if (HasPrefix(l, " VRRP Script") && Contains(l, '=')) {
      if (!s.name.empty()) out.push_back(s);
      s = VrrpScript{};
      s.name = TrimSpace(Split(TrimSpace(l), '=')[1]);
    } else if (HasPrefix(l, "   ") && !s.name.empty()) {
      if (!Contains(l, '=')) continue;
      auto parts = Split(TrimSpace(l), '=');
      std::string key = TrimSpace(parts[0]), val = TrimSpace(parts[1]);
      if (key == "Status") s.status = val;
      if (key == "State") s.state = val;
    } else if (!HasPrefix(l, "    ")) {
      if (!s.name.empty()) out.push_back(s);
      s = VrrpScript{};
    }
  }
  if (!s.name.empty()) out.push_back(s);
  return out;
}

struct StatsResult {
  std::map<std::string, std::map<std::string, int>> stats;  // instance -> JSON counter name
  std::string error;
};
// ParseStats; the counters keyed by the JSON names the exporter's struct tags give them.
StatsResult ParseStats(const std::string& text) {
  StatsResult r;
  std::string instance, section;
  auto value = [&](const std::string& l, int* out) {
    auto sp = Split(TrimSpace(l), ':');
    if (sp.size() < 2) {  // Go: index out of range, a panic
      r.error = "no value: " + l;
      return false;
    }
    auto n = Atoi(TrimSpace(sp[1]));
    if (!n) {
      r.error = "not a number: " + l;
      return false;
    }
    *out = *n;
    return true;
  };
  for (const auto& l : Lines(text)) {
    bool suffix = !l.empty() && l.back() == ':';
    if (HasPrefix(l, "VRRP Instance") && Contains(l, ':')) {
      instance = TrimSpace(Split(TrimSpace(l), ':')[1]);
      r.stats[instance] = {};
    } else if (HasPrefix(l, "  ") && suffix) {
      section = TrimSpace(Split(TrimSpace(l), ':')[0]);
    } else if (HasPrefix(l, "    ") && !section.empty()) {
      int v = 0;
      if (!value(l, &v)) return r;
      std::string key = TrimSpace(Split(TrimSpace(l), ':')[0]);
      static const std::map<std::pair<std::string, std::string>, std::string> kNames = {
          {{"Advertisements", "Received"}, "advert_rcvd"},
          {{"Advertisements", "Sent"}, "advert_sent"},
          {{"Packet Errors", "Length"}, "packet_len_err"},
          {{"Packet Errors", "TTL"}, "ip_ttl_err"},
          {{"Packet Errors", "Invalid Type"}, "invalid_type_rcvd"},
          {{"Packet Errors", "Advertisement Interval"}, "advert_interval_err"},
          {{"Packet Errors", "Address List"}, "addr_list_err"},
          {{"Authentication Errors", "Invalid Type"}, "invalid_authtype"},
          {{"Authentication Errors", "Type Mismatch"}, "authtype_mismatch"},
          {{"Authentication Errors", "Failure"}, "auth_failure"},
          {{"Priority Zero", "Received"}, "pri_zero_rcvd"},
          {{"Priority Zero", "Sent"}, "pri_zero_sent"},
      };
      if (auto it = kNames.find({section, key}); it != kNames.end()) {
        r.stats[instance][it->second] = v;
      }
    } else if (HasPrefix(l, "  ") && !suffix && !HasPrefix(l, "    ")) {
      section.clear();
      int v = 0;
      if (!value(l, &v)) return r;
      std::string key = TrimSpace(Split(TrimSpace(l), ':')[0]);
      if (key == "Became master") r.stats[instance]["become_master"] = v;
      if (key == "Released master") r.stats[instance]["release_master"] = v;
    }
  }
  return r;
}

// ParseVIP: the address and the interface of a VIP line.
std::optional<std::pair<std::string, std::string>> ParseVip(const std::string& vip) {
  auto args = Split(vip, ' ');
  if (args.size() < 3) return std::nullopt;
  return std::make_pair(args[0], args[2]);
}

// ---- fixtures ----

const char* kConf = R"(global_defs {
    vrrp_garp_master_delay 3
}
vrrp_script chk_web {
    script "/usr/local/bin/check web"
    interval 2
    weight -60
    rise 2
    fall 1
}
vrrp_script chk_db {
    script /usr/local/bin/check_db
    init_fail
}
vrrp_script unused {
    script /bin/true
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 52
    priority 150
    authentication {
        auth_type PASS
        auth_pass s3cr3tpw
    }
    virtual_ipaddress {
        192.0.2.100/24
        192.0.2.101 dev eth1 label eth1:vip
    }
    virtual_ipaddress_excluded {
        198.51.100.7/32
    }
    track_interface {
        eth1
    }
    track_script {
        chk_web
    }
    notify_master "/etc/keepalived/master.sh up"
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth1
    virtual_router_id 53
    priority 90
    version 3
    advert_int 0.5
    virtual_ipaddress {
        203.0.113.5/24
    }
    track_script {
        chk_web weight -20
        chk_db
    }
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
}
)";

json Stats(int base) {
  json s;
  const char* names[] = {"advert_rcvd",      "advert_sent",       "become_master",
                         "release_master",   "packet_len_err",    "advert_interval_err",
                         "ip_ttl_err",       "invalid_type_rcvd", "addr_list_err",
                         "invalid_authtype", "authtype_mismatch", "auth_failure",
                         "pri_zero_rcvd",    "pri_zero_sent"};
  int i = 0;
  for (const char* n : names) s[n] = base + i++;
  s["ah_replay"] = 0;
  return s;
}

// A status document as VrrpEngine::StatusJson() writes it (docs/CONTROL.md).
json Status() {
  return json::parse(R"({"instances": [
    {"name": "VI_1", "state": "MASTER", "interface": "eth0", "vmac_interface": "", "vrid": 52,
     "version": 2, "base_priority": 150, "effective_priority": 150, "advert_int": 1.0,
     "master_adver_int": 1.0, "vips": ["192.0.2.100/24", "192.0.2.101/32"], "fault_reason": "",
     "tracking": [
       {"type": "interface", "name": "eth1", "up": true, "weight": 0, "reverse": false},
       {"type": "script", "name": "chk_web", "up": true, "weight": -60, "reverse": false,
        "runs": 12, "failures": 0, "timeouts": 0, "skipped": 0, "running": false,
        "last_status": 0, "refused": false}],
     "src_ip": "192.0.2.1", "accept": true, "strict_mode": false, "skip_check_adv_addr": false,
     "preempt_delay": 0.0, "garp_delay": 3.0, "garp_repeat": 5, "garp_lower_prio_delay": 3.0,
     "garp_lower_prio_repeat": 5, "lower_prio_no_advert": false,
     "higher_prio_send_advert": true, "auth_type": "PASS", "master_down_interval": 3.414062},
    {"name": "VI_2", "state": "BACKUP", "interface": "eth1", "vmac_interface": "", "vrid": 53,
     "version": 3, "base_priority": 90, "effective_priority": 70, "advert_int": 0.5,
     "master_adver_int": 1.0, "vips": ["203.0.113.5/24"], "fault_reason": "",
     "tracking": [
       {"type": "script", "name": "chk_web", "up": false, "weight": -20, "reverse": false,
        "runs": 12, "failures": 3, "timeouts": 0, "skipped": 0, "running": true,
        "last_status": 1, "refused": false},
       {"type": "script", "name": "chk_db", "up": false, "weight": 0, "reverse": false,
        "runs": 0, "failures": 0, "timeouts": 0, "skipped": 0, "running": false,
        "last_status": 0, "refused": false}],
     "src_ip": "198.51.100.1", "accept": true, "strict_mode": false,
     "skip_check_adv_addr": false, "preempt_delay": 0.0, "garp_delay": 3.0, "garp_repeat": 5,
     "garp_lower_prio_delay": 3.0, "garp_lower_prio_repeat": 5, "lower_prio_no_advert": false,
     "higher_prio_send_advert": true, "auth_type": "none", "master_down_interval": 3.21875}
  ]})");
}

class DumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = LoadConfig(kConf);
    status_ = Status();
    status_["instances"][0]["stats"] = Stats(1);
    status_["instances"][1]["stats"] = Stats(100);
  }
  model::Config config_;
  json status_;
};

// ---- keepalived.data ----

TEST_F(DumpTest, KeepalivedDataParsesAsTheExporterReadsIt) {
  std::string text = KeepalivedData(status_, config_);
  DataResult r = ParseVrrpData(text);
  ASSERT_EQ(r.error, "") << text;
  ASSERT_EQ(r.data.size(), 2u) << text;

  const VrrpData& a = r.data.at("VI_1");
  EXPECT_EQ(a.state, 2);
  EXPECT_EQ(a.wantstate, 2);
  EXPECT_EQ(a.intf, "eth0");
  EXPECT_EQ(a.garp_delay, 3);
  EXPECT_EQ(a.vrid, 52);
  EXPECT_EQ(a.vips, (std::vector<std::string>{
                        "192.0.2.100/24 dev eth0 scope global set",
                        "192.0.2.101 dev eth1 scope global label eth1:vip set",
                    }));
  EXPECT_EQ(a.excluded, std::vector<std::string>{"198.51.100.7 dev eth0 scope global set"});

  const VrrpData& b = r.data.at("VI_2");
  EXPECT_EQ(b.state, 1);
  EXPECT_EQ(b.wantstate, 1);
  EXPECT_EQ(b.intf, "eth1");
  EXPECT_EQ(b.vrid, 53);
  EXPECT_EQ(b.vips, std::vector<std::string>{"203.0.113.5/24 dev eth1 scope global"});  // not set
  EXPECT_TRUE(b.excluded.empty());

  // keepalived_vrrp_state's labels come from ParseVIP.
  auto vip = ParseVip(a.vips[1]);
  ASSERT_TRUE(vip);
  EXPECT_EQ(vip->first, "192.0.2.101");
  EXPECT_EQ(vip->second, "eth1");
}

TEST_F(DumpTest, KeepalivedDataScriptsParseWithStatusAndState) {
  std::string text = KeepalivedData(status_, config_);
  auto scripts = ParseVrrpScript(text);
  // Only the tracked scripts, in configuration order; "unused" is not run, so not listed.
  ASSERT_EQ(scripts.size(), 2u) << text;
  EXPECT_EQ(scripts[0].name, "chk_web");
  EXPECT_EQ(scripts[0].status, "GOOD");  // as the first instance that tracks it reports
  EXPECT_EQ(scripts[0].state, "idle");
  EXPECT_EQ(scripts[1].name, "chk_db");
  EXPECT_EQ(scripts[1].status, "INIT/FAILED");  // not run yet, init_fail
  EXPECT_EQ(scripts[1].state, "idle");

  status_["instances"][0]["tracking"][1]["up"] = false;
  status_["instances"][0]["tracking"][1]["running"] = true;
  scripts = ParseVrrpScript(KeepalivedData(status_, config_));
  ASSERT_EQ(scripts.size(), 2u);
  EXPECT_EQ(scripts[0].status, "BAD");
  EXPECT_EQ(scripts[0].state, "running");
}

TEST_F(DumpTest, KeepalivedDataHasKeepalivedsLinesAndNoSecrets) {
  std::string text = KeepalivedData(status_, config_);
  auto has = [&](const std::string& line) {
    auto lines = Lines(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
  };
  EXPECT_TRUE(has("------< VRRP Topology >------"));
  EXPECT_TRUE(has(" VRRP Instance = VI_1"));
  EXPECT_TRUE(has("   Sync group = G1"));
  EXPECT_TRUE(has("   Using src_ip = 192.0.2.1"));
  EXPECT_TRUE(has("   Multicast address 224.0.0.18"));
  EXPECT_TRUE(has("   Master down timer = 3414062 usecs"));
  EXPECT_TRUE(has("   Advert interval = 1 sec"));
  EXPECT_TRUE(has("   Advert interval = 500 milli-sec"));
  EXPECT_TRUE(has("   Master advert interval = 1000 milli-sec"));
  EXPECT_TRUE(has("   Effective priority = 70"));
  EXPECT_TRUE(has("   Authentication type = SIMPLE_PASSWORD"));
  EXPECT_TRUE(has("   Password = ********"));
  EXPECT_TRUE(has("   Tracked interfaces :"));
  EXPECT_TRUE(has("     eth1 weight 0"));
  EXPECT_TRUE(has("     chk_web weight -60"));
  EXPECT_TRUE(has("     chk_db weight 0"));
  EXPECT_TRUE(has("   Number of track scripts init = 1"));
  EXPECT_TRUE(has("   Master state transition script = '/etc/keepalived/master.sh' 'up'"));
  EXPECT_TRUE(has("------< VRRP Sync groups >------"));
  EXPECT_TRUE(has(" VRRP Sync Group = G1, BACKUP"));
  EXPECT_TRUE(has("------< VRRP Scripts >------"));
  EXPECT_TRUE(has("   Command = '/usr/local/bin/check' 'web'"));
  EXPECT_TRUE(has("   Weight = -60"));
  EXPECT_TRUE(has("     VI_1, weight -60"));
  EXPECT_TRUE(has("     VI_2, weight -20"));
  EXPECT_EQ(text.find("s3cr3tpw"), std::string::npos);
}

TEST_F(DumpTest, KeepalivedDataWholeTextForAPlainInstance) {
  model::Config config = LoadConfig(R"(vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.10/24
    }
}
)");
  json status = json::parse(R"({"instances": [{"name": "VI_1", "state": "MASTER",
      "interface": "eth0", "vmac_interface": "", "vrid": 51, "version": 2,
      "base_priority": 100, "effective_priority": 100, "advert_int": 1.0,
      "master_adver_int": 1.0, "vips": ["192.0.2.10/24"], "fault_reason": "", "tracking": [],
      "src_ip": "192.0.2.1", "accept": true, "strict_mode": false,
      "skip_check_adv_addr": false, "preempt_delay": 0.0, "garp_delay": 5.0,
      "garp_repeat": 5, "garp_lower_prio_delay": 5.0, "garp_lower_prio_repeat": 5,
      "lower_prio_no_advert": false, "higher_prio_send_advert": true, "auth_type": "none",
      "master_down_interval": 3.609375, "last_transition": 1673674892.34836}]})");
  EXPECT_EQ(KeepalivedData(status, config),
            "------< VRRP Topology >------\n"
            " VRRP Instance = VI_1\n"
            "   VRRP Version = 2\n"
            "   State = MASTER\n"
            "   Wantstate = MASTER\n"
            "   Number of interface and track script faults = 0\n"
            "   Number of track scripts init = 0\n"
            "   Last transition = 1673674892.348360 (Sat Jan 14 05:41:32.348360 2023)\n"
            "   Master down timer = 3609375 usecs\n"
            "   Interface = eth0\n"
            "   Using src_ip = 192.0.2.1\n"
            "   Multicast address 224.0.0.18\n"
            "   Gratuitous ARP delay = 5\n"
            "   Gratuitous ARP repeat = 5\n"
            "   Gratuitous ARP refresh = 0\n"
            "   Gratuitous ARP refresh repeat = 1\n"
            "   Gratuitous ARP lower priority delay = 5\n"
            "   Gratuitous ARP lower priority repeat = 5\n"
            "   Down timer adverts = 3\n"
            "   Send advert after receive lower priority advert = true\n"
            "   Send advert after receive higher priority advert = true\n"
            "   Virtual Router ID = 51\n"
            "   Priority = 100\n"
            "   Effective priority = 100\n"
            "   Total priority = 100\n"
            "   Advert interval = 1 sec\n"
            "   Accept = enabled\n"
            "   Preempt = enabled\n"
            "   Promote_secondaries = disabled\n"
            "   Authentication type = none\n"
            "   Virtual IP (1):\n"
            "     192.0.2.10/24 dev eth0 scope global set\n"
            "   Using smtp notification = no\n"
            "   Notify deleted = Fault\n"
            "   Notify priority changes = false\n");

  // The status alone (an instance the configuration given does not have) still renders.
  std::string alone = KeepalivedData(status, model::Config{});
  DataResult r = ParseVrrpData(alone);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.data.count("VI_1"), 1u);
  EXPECT_EQ(r.data["VI_1"].vips,
            std::vector<std::string>{"192.0.2.10/24 dev eth0 scope global set"});
  EXPECT_EQ(r.data["VI_1"].vrid, 51);
}

TEST_F(DumpTest, KeepalivedDataNamesTheVmacAsKeepalivedDoes) {
  status_["instances"][0]["vmac_interface"] = "vrrp.52";
  std::string text = KeepalivedData(status_, config_);
  DataResult r = ParseVrrpData(text);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.data["VI_1"].intf, "vrrp.52, vmac on eth0");
  EXPECT_EQ(r.data["VI_1"].vips[0], "192.0.2.100/24 dev vrrp.52@eth0 scope global set");
  json j = json::parse(KeepalivedJson(status_, config_));
  EXPECT_EQ(j[0]["data"]["ifp_ifname"], "vrrp.52");
  EXPECT_EQ(j[0]["data"]["vmac_ifname"], "vrrp.52");
}

TEST_F(DumpTest, InitAndFaultStatesStayReadable) {
  status_["instances"][0]["state"] = "INIT";
  status_["instances"][1]["state"] = "FAULT";
  DataResult r = ParseVrrpData(KeepalivedData(status_, config_));
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.data["VI_1"].state, 0);
  EXPECT_EQ(r.data["VI_1"].wantstate, 2);  // state MASTER in the configuration
  EXPECT_EQ(r.data["VI_2"].state, 3);
  EXPECT_EQ(r.data["VI_1"].vips[0], "192.0.2.100/24 dev eth0 scope global");  // not installed
}

// ---- keepalived.stats ----

TEST_F(DumpTest, KeepalivedStatsParsesWithEveryCounter) {
  std::string text = KeepalivedStats(status_);
  StatsResult r = ParseStats(text);
  ASSERT_EQ(r.error, "") << text;
  ASSERT_EQ(r.stats.size(), 2u);
  for (const auto& [name, base] : {std::pair<std::string, int>{"VI_1", 1}, {"VI_2", 100}}) {
    const auto& got = r.stats.at(name);
    json want = Stats(base);
    want.erase("ah_replay");  // Vigil's own, not one keepalived prints
    EXPECT_EQ(got.size(), want.size()) << name;
    for (const auto& [counter, value] : want.items()) {
      ASSERT_EQ(got.count(counter), 1u) << name << " " << counter;
      EXPECT_EQ(got.at(counter), value.get<int>()) << name << " " << counter;
    }
  }
  // The exporter refuses data and stats of different instance sets.
  EXPECT_EQ(ParseVrrpData(KeepalivedData(status_, config_)).data.size(), r.stats.size());
}

TEST_F(DumpTest, KeepalivedStatsWholeText) {
  json status = {{"instances", {{{"name", "VI_1"}, {"stats", Stats(1)}}}}};
  EXPECT_EQ(KeepalivedStats(status),
            "VRRP Instance: VI_1\n"
            "  Advertisements:\n"
            "    Received: 1\n"
            "    Sent: 2\n"
            "  Became master: 3\n"
            "  Released master: 4\n"
            "  Packet Errors:\n"
            "    Length: 5\n"
            "    TTL: 7\n"
            "    Invalid Type: 8\n"
            "    Advertisement Interval: 6\n"
            "    Address List: 9\n"
            "  Authentication Errors:\n"
            "    Invalid Type: 10\n"
            "    Type Mismatch: 11\n"
            "    Failure: 12\n"
            "  Priority Zero:\n"
            "    Received: 13\n"
            "    Sent: 14\n");
}

// ---- keepalived.json ----

TEST_F(DumpTest, KeepalivedJsonDecodesIntoTheExportersStructs) {
  std::string text = KeepalivedJson(status_, config_);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);  // one line, as keepalived writes it
  json j = json::parse(text);
  ASSERT_TRUE(j.is_array());  // json_version 1: the exporter decodes into []VRRP
  ASSERT_EQ(j.size(), 2u);
  // Go's encoding/json fills `int` fields only from integer literals.
  for (const auto& e : j) {
    const json& data = e.at("data");
    EXPECT_TRUE(data.at("iname").is_string());
    EXPECT_TRUE(data.at("ifp_ifname").is_string());
    for (const char* f : {"state", "wantstate", "garp_delay", "vrid"}) {
      EXPECT_TRUE(data.at(f).is_number_integer()) << f << " " << data.dump();
    }
    for (const auto& v : data.at("vips")) {
      ASSERT_TRUE(v.is_string());
      EXPECT_TRUE(ParseVip(v.get<std::string>())) << v;
    }
    const json& stats = e.at("stats");
    for (const char* f : {"advert_rcvd", "advert_sent", "become_master", "release_master",
                          "packet_len_err", "advert_interval_err", "ip_ttl_err",
                          "invalid_type_rcvd", "addr_list_err", "invalid_authtype",
                          "authtype_mismatch", "auth_failure", "pri_zero_rcvd", "pri_zero_sent"}) {
      EXPECT_TRUE(stats.at(f).is_number_unsigned()) << f;
    }
  }
  const json& a = j[0]["data"];
  EXPECT_EQ(a["iname"], "VI_1");
  EXPECT_EQ(a["state"], 2);
  EXPECT_EQ(a["wantstate"], 2);
  EXPECT_EQ(a["ifp_ifname"], "eth0");
  EXPECT_EQ(a["garp_delay"], 3);
  EXPECT_EQ(a["vrid"], 52);
  EXPECT_EQ(a["base_priority"], 150);
  EXPECT_EQ(a["adver_int"], 1);
  EXPECT_EQ(a["vips"], (json{"192.0.2.100/24 dev eth0 scope global",
                             "192.0.2.101 dev eth1 scope global label eth1:vip"}));
  EXPECT_EQ(a["evips"], json{"198.51.100.7 dev eth0 scope global"});
  EXPECT_EQ(a["track_ifp"], json{"eth1"});
  EXPECT_EQ(a["track_script"], json{"'/usr/local/bin/check' 'web'"});
  EXPECT_EQ(a["script_master"], "'/etc/keepalived/master.sh' 'up'");
  EXPECT_EQ(a["auth_type"], 1);
  EXPECT_EQ(a["auth_data"], "********");
  EXPECT_EQ(a["vipset"], true);
  EXPECT_EQ(j[0]["stats"]["advert_rcvd"], 1);
  EXPECT_EQ(j[0]["stats"]["pri_zero_sent"], 14);

  const json& b = j[1]["data"];
  EXPECT_EQ(b["state"], 1);
  EXPECT_EQ(b["version"], 3);
  EXPECT_EQ(b["adver_int"], 0.5);
  EXPECT_EQ(b["effective_priority"], 70);
  EXPECT_EQ(b["auth_type"], 0);
  EXPECT_FALSE(b.contains("auth_data"));
  EXPECT_FALSE(b.contains("evips"));      // empty lists are left out
  EXPECT_FALSE(b.contains("track_ifp"));  // ...
  EXPECT_EQ(b["vipset"], false);
  EXPECT_EQ(text.find("s3cr3tpw"), std::string::npos);
}

TEST_F(DumpTest, KeepalivedJsonWholeTextForAPlainInstance) {
  model::Config config = LoadConfig(R"(vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    advert_int 1.5
    virtual_ipaddress {
        192.0.2.10/24
    }
}
)");
  json status = json::parse(R"({"instances": [{"name": "VI_1", "state": "BACKUP",
      "interface": "eth0", "vmac_interface": "", "vrid": 51, "version": 2,
      "base_priority": 100, "effective_priority": 100, "advert_int": 1.5,
      "master_adver_int": 1.5, "vips": ["192.0.2.10/24"], "tracking": [],
      "last_transition": 1673674892.34836, "stats": {"advert_rcvd": 7}}]})");
  EXPECT_EQ(KeepalivedJson(status, config),
            R"([{"data":{"iname":"VI_1","dont_track_primary":0,"skip_check_adv_addr":0,)"
            R"("strict_mode":0,"vmac_ifname":"","ifp_ifname":"eth0",)"
            R"("last_transition":1673674892.348360,"garp_delay":5,"garp_refresh":0,)"
            R"("garp_rep":5,"garp_refresh_rep":1,"garp_lower_prio_delay":5,)"
            R"("garp_lower_prio_rep":5,"lower_prio_no_advert":0,"higher_prio_send_advert":1,)"
            R"("vrid":51,"base_priority":100,"effective_priority":100,"vipset":false,)"
            R"("promote_secondaries":false,"adver_int":1.5,"master_adver_int":1.5,"accept":1,)"
            R"("nopreempt":false,"preempt_delay":0,"state":1,"wantstate":1,"version":2,)"
            R"("smtp_alert":false,"notify_deleted":false,)"
            R"("vips":["192.0.2.10/24 dev eth0 scope global"],"auth_type":0},)"
            R"("stats":{"advert_rcvd":7,"advert_sent":0,"become_master":0,"release_master":0,)"
            R"("packet_len_err":0,"advert_interval_err":0,"ip_ttl_err":0,)"
            R"("invalid_type_rcvd":0,"addr_list_err":0,"invalid_authtype":0,)"
            R"("authtype_mismatch":0,"auth_failure":0,"pri_zero_rcvd":0,"pri_zero_sent":0}}])"
            "\n");
}

TEST_F(DumpTest, KeepalivedJsonVersion2WrapsTheArray) {
  model::Config config = LoadConfig(std::string("global_defs {\n    json_version 2\n}\n") +
                                    (kConf + std::string(kConf).find("vrrp_script")));
  json j = json::parse(KeepalivedJson(status_, config));
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j["vrrp"].is_array());
  EXPECT_EQ(j["vrrp"].size(), 2u);
  EXPECT_EQ(j["vrrp"][1]["data"]["iname"], "VI_2");
  EXPECT_FALSE(j.contains("track_process"));  // none tracked
}

TEST(Dump, AnyDocumentIsAccepted) {
  model::Config empty;
  for (const char* doc : {"null", "[]", "{}", R"({"instances": 3})", R"({"instances": [1, "x"]})",
                          R"({"instances": [{"name": 5, "state": 7, "tracking": {}}]})"}) {
    json j = json::parse(doc);
    std::string data = KeepalivedData(j, empty);
    std::string stats = KeepalivedStats(j);
    json decoded = json::parse(KeepalivedJson(j, empty));
    EXPECT_TRUE(decoded.is_array()) << doc;
    EXPECT_EQ(ParseVrrpData(data).error, "") << doc;
    EXPECT_EQ(ParseStats(stats).error, "") << doc;
    EXPECT_EQ(ParseVrrpData(data).data.size(), ParseStats(stats).stats.size()) << doc;
  }
  EXPECT_EQ(KeepalivedJson(json::object(), empty), "[]\n");
  EXPECT_EQ(KeepalivedStats(json::object()), "");
}

// ---- the checker's half of SIGUSR1: keepalived_check.data ----

constexpr const char* kLvsConf = R"(virtual_server 192.0.2.10 80 {
    delay_loop 2
    lb_algo wrr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP
    quorum 2
    sorry_server 198.51.100.9 8080
    real_server 198.51.100.1 80 {
        weight 3
        TCP_CHECK {
            connect_timeout 1
        }
    }
    real_server 198.51.100.2 80 {
        weight 1
        HTTP_GET {
            url {
                path /health
                status_code 200-204
                status_code 301
            }
            connect_timeout 2
            retry 4
            delay_before_retry 1
        }
    }
}
)";

// The checker child's status (CheckEngine::StatusJson) for kLvsConf with .2 failing.
json LvsStatus() {
  return json::parse(R"({"virtual_servers": [{"name": "[192.0.2.10]:tcp:80", "conf_index": 0,
      "quorum": true, "suspended": false, "live_weight": 3,
      "programmed": [{"service": "tcp 192.0.2.10:80", "scheduler": "wrr", "destinations": []}],
      "real_servers": [
        {"address": "198.51.100.1", "port": 80, "conf_index": 0, "alive": true,
         "disabled": false, "transitions": 1, "weight": 3, "checkers": [
           {"type": "TCP_CHECK", "up": true, "checks": 12, "failures": 0, "conf_index": 0,
            "target": {"address": "198.51.100.1", "port": 80}, "retries_left": 1,
            "timing": {"delay_loop": 2.0, "connect_timeout": 1.0, "delay_before_retry": 1.0,
                       "warmup": 0.0, "retry": 1, "alpha": false}}]},
        {"address": "198.51.100.2", "port": 80, "conf_index": 1, "alive": false,
         "disabled": true, "transitions": 2, "weight": 0, "checkers": [
           {"type": "HTTP_GET", "up": false, "checks": 0, "failures": 0, "conf_index": 0,
            "target": {"address": "198.51.100.2", "port": 80}, "retries_left": 4,
            "timing": {"delay_loop": 2.0, "connect_timeout": 2.0, "delay_before_retry": 1.0,
                       "warmup": 0.5, "retry": 4, "alpha": true}}]}]}]})");
}

TEST(CheckDump, WholeTextInKeepalivedsLayout) {
  model::Config config = LoadConfig(kLvsConf);
  EXPECT_EQ(KeepalivedCheckData(LvsStatus(), config),
            "------< LVS Topology >------\n"
            " ------< Virtual server >------\n"
            " VS VIP = 192.0.2.10, VPORT = 80\n"
            "   Address family = inet\n"
            "   connection timeout = 5.000000\n"
            "   delay_loop = 2.000000\n"
            "   lvs_sched = wrr\n"
            "   Hashed = disabled\n"
            "   flag-1 = disabled\n"
            "   flag-2 = disabled\n"
            "   flag-3 = disabled\n"
            "   One packet scheduling = disabled\n"
            "   persistence timeout = 50\n"
            "   protocol = TCP\n"
            "   alpha is OFF\n"
            "   omega is OFF\n"
            "   Inhibit on failure is OFF\n"
            "   quorum = 2, hysteresis = 0\n"
            "   Using smtp notification = no\n"
            "   default forwarding method = NAT\n"
            "   sorry server = [198.51.100.9]:tcp:8080\n"
            "     forwarding method = NAT\n"
            "     Inhibit on failure is OFF\n"
            "   alive = 1\n"
            "   quorum_state_up = 1\n"
            "   ------< Real server >------\n"
            "   RIP = 198.51.100.1, RPORT = 80, WEIGHT = 3 EFF WEIGHT = 3\n"
            "   forwarding method = NAT\n"
            "   Alpha is OFF\n"
            "   connection timeout = 5.000000\n"
            "   Delay loop = 2.000000\n"
            "   Inhibit on failure is OFF\n"
            "   initial weight = 3\n"
            "   effective weight = 3\n"
            "   alive = 1\n"
            "   num failed checkers = 0\n"
            "   ------< Real server >------\n"
            "   RIP = 198.51.100.2, RPORT = 80, WEIGHT = 1 EFF WEIGHT = 0\n"
            "   forwarding method = NAT\n"
            "   Alpha is OFF\n"
            "   connection timeout = 5.000000\n"
            "   Delay loop = 2.000000\n"
            "   Inhibit on failure is OFF\n"
            "   initial weight = 1\n"
            "   effective weight = 0\n"
            "   alive = 0\n"
            "   num failed checkers = 1\n"
            "   disabled by the operator = yes\n"
            "------< Health checkers >------\n"
            " [192.0.2.10]:tcp:80 -> [198.51.100.1]:tcp:80\n"
            "   Enabled = yes\n"
            "   Up = yes\n"
            "   Has run = yes\n"
            "   Alpha = no\n"
            "   Delay loop = 2000000 us\n"
            "   Warmup = 0 us\n"
            "   Retries = 1\n"
            "   Delay before retry = 1000000 us\n"
            "   Connection\n"
            "     Dest = [198.51.100.1]:80\n"
            "     Timeout = 1.000000\n"
            "   Keepalive method = TCP_CHECK\n"
            " [192.0.2.10]:tcp:80 -> [198.51.100.2]:tcp:80\n"
            "   Enabled = yes\n"
            "   Up = no\n"
            "   Has run = no\n"
            "   Alpha = yes\n"
            "   Delay loop = 2000000 us\n"
            "   Warmup = 500000 us\n"
            "   Retries = 4\n"
            "   Delay before retry = 1000000 us\n"
            "   Connection\n"
            "     Dest = [198.51.100.2]:80\n"
            "     Timeout = 2.000000\n"
            "   Keepalive method = HTTP_GET\n"
            "   Checked url = /health\n"
            "     HTTP Status Code(s)\n"
            "       200-204\n"
            "       301\n");
}

TEST(CheckDump, FwmarkAndGroupServersAndStatusWithoutConfig) {
  model::Config config = LoadConfig(R"(virtual_server_group WEB {
    192.0.2.20 443
}
virtual_server fwmark 7 {
    delay_loop 3
    lb_algo rr
    lb_kind DR
    real_server 198.51.100.3 80 {
        MISC_CHECK {
            misc_path "/bin/true"
            misc_dynamic
        }
    }
}
virtual_server group WEB {
    lb_algo sh
    lb_kind TUN
    real_server 198.51.100.4 443 {
        TCP_CHECK {
        }
    }
}
)");
  json status = json::parse(R"({"virtual_servers": [
      {"name": "FWM 7", "conf_index": 0, "quorum": false, "programmed": [], "real_servers": [
        {"address": "198.51.100.3", "port": 80, "conf_index": 0, "alive": false, "weight": 1,
         "checkers": [{"type": "MISC_CHECK", "up": false, "conf_index": 0, "target": {}}]}]},
      {"name": "group WEB", "conf_index": 1, "quorum": true, "programmed": [{}],
       "real_servers": []},
      {"name": "[203.0.113.5]:udp:53", "conf_index": 9, "real_servers": [
        {"address": "203.0.113.6", "port": 53, "weight": 2}]}]})");
  std::string text = KeepalivedCheckData(status, config);
  std::vector<std::string> lines = Lines(text);
  auto has = [&lines](const std::string& l) {
    return std::find(lines.begin(), lines.end(), l) != lines.end();
  };
  EXPECT_TRUE(has(" VS FWMARK = 7")) << text;
  EXPECT_TRUE(has("   default forwarding method = DR")) << text;
  EXPECT_TRUE(has("   quorum_state_up = 0")) << text;
  EXPECT_TRUE(has("   alive = 0")) << text;
  EXPECT_TRUE(has("   Dynamic = yes")) << text;
  EXPECT_TRUE(has(" VS GROUP = WEB")) << text;
  EXPECT_TRUE(has("   lvs_sched = sh")) << text;
  EXPECT_TRUE(has("   default forwarding method = TUN")) << text;
  // conf_index 9 matches nothing: rendered from the status alone.
  EXPECT_TRUE(has(" VS = [203.0.113.5]:udp:53")) << text;
  EXPECT_TRUE(has("   RIP = 203.0.113.6, RPORT = 53, WEIGHT = 2 EFF WEIGHT = 2")) << text;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), " ------< Virtual server >------"), 3);
}

TEST(CheckDump, AnyDocumentIsAccepted) {
  model::Config config = LoadConfig(kLvsConf);
  for (const char* doc :
       {"null", "[]", "{}", R"({"virtual_servers": 3})", R"({"virtual_servers": [1, "x"]})",
        R"({"virtual_servers": [{"conf_index": -4, "real_servers": {}}]})",
        R"({"virtual_servers": [{"conf_index": 0, "real_servers": [{"conf_index": 7,
            "checkers": [{"conf_index": "0", "timing": 3, "target": []}]}]}]})",
        R"({"virtual_servers": [{"conf_index": 1e300, "real_servers": [{"port": -1e300,
            "weight": 1e19, "checkers": [{"timing": {"delay_loop": 1e300, "warmup": -1e300,
            "retry": 1e100}}]}]}]})"}) {
    std::string text = KeepalivedCheckData(json::parse(doc), config);
    EXPECT_EQ(text.rfind("------< LVS Topology >------\n", 0), 0u) << doc;
    EXPECT_NE(text.find("------< Health checkers >------\n"), std::string::npos) << doc;
  }
}

TEST(CheckDump, PathBesideTheStateDumpFile) {
  EXPECT_EQ(CheckDataPath(""), "/tmp/keepalived_check.data");
  EXPECT_EQ(CheckDataPath("/run/ka.data"), "/run/ka_check.data");
  EXPECT_EQ(CheckDataPath("/run/ka"), "/run/ka_check");
  EXPECT_EQ(CheckDataPath("/run.d/ka"), "/run.d/ka_check");
  EXPECT_EQ(CheckDataPath("/run/.hidden"), "/run/.hidden_check");
  EXPECT_EQ(CheckDataPath("ka.x.data"), "ka.x_check.data");
}

}  // namespace
}  // namespace vigil::control
