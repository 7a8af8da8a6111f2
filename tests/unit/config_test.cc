// Tree building, lowering and validation on small inline configurations.
#include "config/config.h"

#include <gtest/gtest.h>

#include "fakes/memory_file_source.h"

namespace vigil::config {
namespace {

LoadResult LoadText(const std::string& text) {
  testing::MemoryFileSource fs;
  fs.Add("k.conf", text);
  LoadOptions opt;
  opt.preprocess.config_id = "main";
  opt.interface_exists = [](const std::string& n) { return n == "eth0" || n == "eth1"; };
  return Load("k.conf", fs, opt);
}

std::vector<std::string> Messages(const LoadResult& r, base::Severity min) {
  std::vector<std::string> out;
  for (const auto& d : r.diags.all()) {
    if (d.severity >= min) out.push_back(d.ToString());
  }
  return out;
}

const char* kMinimal = R"(vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.10/24
    }
}
)";

TEST(Config, MinimalInstanceHasDefaults) {
  auto r = LoadText(kMinimal);
  EXPECT_EQ(Messages(r, base::Severity::kNote), std::vector<std::string>{});
  ASSERT_EQ(r.config.vrrp_instances.size(), 1u);
  const auto& i = r.config.vrrp_instances[0];
  EXPECT_EQ(i.name, "VI_1");
  EXPECT_EQ(i.vrid, 51);
  EXPECT_EQ(i.priority, 100);
  EXPECT_EQ(i.version, 2);
  EXPECT_EQ(i.advert_int, std::chrono::seconds(1));
  ASSERT_EQ(i.vips.size(), 1u);
  EXPECT_EQ(i.vips[0].address.ToString(), "192.0.2.10/24");
  EXPECT_EQ(ConfigTestExitCode(r.diags), 0);
}

TEST(Config, OutOfRangePriorityNamesFileLineAndColumn) {
  auto r = LoadText(
      "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n"
      " priority 256\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n");
  auto m = Messages(r, base::Severity::kWarning);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "k.conf:4:11: error: 'priority': 256 is outside the range [1, 255]");
  EXPECT_EQ(r.config.vrrp_instances[0].priority, 100);  // keepalived keeps the default
  EXPECT_EQ(ConfigTestExitCode(r.diags), 5);
}

TEST(Config, UnknownKeywordWarnsAndParsingContinues) {
  auto r = LoadText(
      "vrrp_instance VI_1 {\n interface eth0\n bogus 1 { nested }\n"
      " virtual_router_id 7\n virtual_ipaddress {\n 192.0.2.1\n }\n}\n");
  auto m = Messages(r, base::Severity::kWarning);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "k.conf:3:2: warning: unknown keyword 'bogus' in vrrp_instance; ignored");
  EXPECT_EQ(r.config.vrrp_instances[0].vrid, 7);
}

TEST(Config, MissingBraceIsReportedAtTheOpeningBrace) {
  auto r = LoadText("vrrp_instance VI_1 {\n interface eth0\n");
  auto m = Messages(r, base::Severity::kError);
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0],
            "k.conf:1:20: error: missing '}': block 'vrrp_instance' opened here is never "
            "closed");
}

TEST(Config, UnterminatedQuoteIsAnError) {
  auto r = LoadText("global_defs {\n router_id \"abc\n}\n");
  auto m = Messages(r, base::Severity::kError);
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0], "k.conf:2:12: error: unterminated quote");
}

TEST(Config, BraceOnNextLineAndInlineBlocks) {
  auto r = LoadText(
      "vrrp_instance VI_1\n{\n interface eth0\n virtual_router_id 9\n"
      " virtual_ipaddress { 192.0.2.9/24 }\n}\n");
  EXPECT_EQ(Messages(r, base::Severity::kWarning), std::vector<std::string>{});
  ASSERT_EQ(r.config.vrrp_instances.size(), 1u);
  EXPECT_EQ(r.config.vrrp_instances[0].vips.size(), 1u);
}

TEST(Config, ScriptsAreSplitShellStyle) {
  auto r = LoadText(std::string(kMinimal).replace(
      std::string(kMinimal).find("    virtual_ipaddress"), 0,
      "    notify_master \"/usr/bin/logger -t 'vigil test' a\\tb\" root wheel\n"));
  const auto& s = *r.config.vrrp_instances[0].notify->master;
  EXPECT_EQ(s.argv, (std::vector<std::string>{"/usr/bin/logger", "-t", "vigil test", "a\tb"}));
  EXPECT_EQ(s.user, "root");
  EXPECT_EQ(s.group, "wheel");
  EXPECT_EQ(ConfigTestExitCode(r.diags), 6);  // scripts without enable_script_security
}

TEST(Config, DuplicateVridOnSameInterfaceAndFamilyIsAnError) {
  std::string two = std::string(kMinimal) + std::string(kMinimal).replace(17, 1, "2");
  auto r = LoadText(two);
  auto m = Messages(r, base::Severity::kError);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0"),
            std::string::npos);
}

TEST(Config, SameVridAllowedWithDisjointUnicastPeers) {
  auto inst = [](const char* name, const char* peer) {
    return std::string("vrrp_instance ") + name +
           " {\n interface eth0\n virtual_router_id 5\n unicast_peer {\n " + peer +
           "\n }\n virtual_ipaddress {\n 192.0.2.5\n }\n}\n";
  };
  auto ok = LoadText(inst("A", "192.0.2.1") + inst("B", "192.0.2.2"));
  EXPECT_EQ(ConfigTestExitCode(ok.diags), 0);
  auto bad = LoadText(inst("A", "192.0.2.1") + inst("B", "192.0.2.1"));
  EXPECT_EQ(ConfigTestExitCode(bad.diags), 5);
}

TEST(Config, Ipv6InstanceDefaultsToVersion3AndRejectsExplicitV2) {
  auto r = LoadText(
      "vrrp_instance V6 {\n interface eth0\n virtual_router_id 6\n"
      " virtual_ipaddress {\n 2001:db8::1/64\n }\n}\n");
  EXPECT_EQ(r.config.vrrp_instances[0].version, 3);
  EXPECT_EQ(ConfigTestExitCode(r.diags), 0);
  auto v2 = LoadText(
      "vrrp_instance V6 {\n interface eth0\n version 2\n virtual_router_id 6\n"
      " virtual_ipaddress {\n 2001:db8::1/64\n }\n}\n");
  EXPECT_EQ(ConfigTestExitCode(v2.diags), 5);
}

TEST(Config, CheckerInheritsNothingItDidNotSay) {
  auto r = LoadText(R"(virtual_server 192.0.2.1 80 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.1 80 {
        weight 3
        HTTP_GET {
            url {
                path /health
                status_code 200 300-302
            }
            retry 4
        }
    }
}
)");
  EXPECT_EQ(Messages(r, base::Severity::kWarning), std::vector<std::string>{});
  const auto& vs = r.config.virtual_servers.at(0);
  EXPECT_EQ(vs.delay_loop, std::chrono::seconds(6));
  const auto& chk = vs.real_servers.at(0).checkers.at(0);
  EXPECT_EQ(chk.kind, model::CheckerKind::kHttp);
  EXPECT_EQ(chk.common.retry, 4);
  EXPECT_FALSE(chk.common.delay_loop.has_value());
  ASSERT_EQ(chk.details->urls.at(0).status_codes.size(), 2u);
  EXPECT_EQ(chk.details->urls[0].status_codes[1].hi, 302);
}

TEST(Config, DeprecatedKeywordWarnsAndStillApplies) {
  auto r = LoadText(R"(virtual_server 192.0.2.1 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server 198.51.100.1 80 {
        HTTP_GET {
            url {
                path /
            }
            nb_get_retry 4
        }
    }
}
)");
  auto m = Messages(r, base::Severity::kWarning);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0], "k.conf:10:13: warning: 'nb_get_retry' is deprecated; use 'retry' instead");
  EXPECT_EQ(r.config.virtual_servers[0].real_servers[0].checkers[0].common.retry, 4);
  EXPECT_EQ(Dump(r.config).find("nb_get_retry"), std::string::npos);
}

TEST(Config, UnicastKeywordsNeedPeers) {
  auto r = LoadText(
      "vrrp_instance V {\n interface eth0\n virtual_router_id 9\n"
      " unicast_src_ip 192.0.2.1\n unicast_ttl 10\n"
      " virtual_ipaddress {\n 192.0.2.9/24\n }\n}\n");
  auto m = Messages(r, base::Severity::kWarning);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_NE(m[0].find("unicast_ttl"), std::string::npos);
  EXPECT_NE(m[1].find("unicast_src_ip"), std::string::npos);
}

TEST(Config, DumpMasksSecretsAndReparsesToTheSameModel) {
  auto r = LoadText(std::string(kMinimal).replace(
      std::string(kMinimal).find("    virtual_ipaddress"), 0,
      "    authentication {\n        auth_type PASS\n        auth_pass hunter2\n    }\n"));
  std::string masked = Dump(r.config);
  EXPECT_EQ(masked.find("hunter2"), std::string::npos);
  EXPECT_NE(masked.find("********"), std::string::npos);
  auto again = LoadText(Dump(r.config, /*mask_secrets=*/false));
  EXPECT_TRUE(again.config == r.config);
}

TEST(Config, EveryKeywordOfTheKeywordListIsRecognised) {
  // Spot checks of keywords that only need to be recognised; the golden tests cover the rest.
  auto r = LoadText(R"(global_defs {
    enable_snmp_vrrp
    vrrp_rt_priority 50
    lvs_timeouts tcp 900 udp 30
}
net_namespace blue
)");
  for (const auto& d : r.diags.all()) {
    EXPECT_EQ(d.severity, base::Severity::kNote) << d.ToString();
  }
  EXPECT_EQ(r.config.global.extra.size(), 3u);
  EXPECT_EQ(r.config.top_level.size(), 1u);
}

}  // namespace
}  // namespace vigil::config
