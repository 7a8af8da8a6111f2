// use_vmac / use_ipvlan as vrrp::PlanVmac reads them: keepalived.conf(5)'s defaults (name
// vrrp.VRID, RFC 5798 §7.3 MAC) and the optional words.
#include <gtest/gtest.h>

#include "config/config.h"
#include "fakes/memory_file_source.h"
#include "vrrp/vmac.h"

namespace vigil::vrrp {
namespace {

model::VrrpInstanceConf Instance(const std::string& lines, int vrid = 51) {
  std::string text = "vrrp_instance VI {\n interface eth0\n virtual_router_id " +
                     std::to_string(vrid) + "\n priority 100\n" + lines +
                     "\n virtual_ipaddress {\n  192.0.2.100/24\n }\n}\n";
  testing::MemoryFileSource fs;
  fs.Add("k.conf", text);
  config::LoadOptions opts;
  opts.interface_exists = [](const std::string&) { return true; };
  auto r = config::Load("k.conf", fs, opts);
  EXPECT_FALSE(r.diags.HasAtLeast(base::Severity::kError)) << text;
  return r.config.vrrp_instances.front();
}

VmacPlan Plan(const std::string& lines, base::Family f = base::Family::kIPv4, int vrid = 51) {
  auto conf = Instance(lines, vrid);
  auto p = PlanVmac(conf, f, "vrrp");
  EXPECT_TRUE(std::holds_alternative<VmacPlan>(p));
  return std::holds_alternative<VmacPlan>(p) ? std::get<VmacPlan>(p) : VmacPlan{};
}

TEST(Rfc5798Section7_3, VirtualRouterMacAddress) {
  EXPECT_EQ(MacToString(VirtualMac(base::Family::kIPv4, 51)), "00:00:5e:00:01:33");
  EXPECT_EQ(MacToString(VirtualMac(base::Family::kIPv6, 255)), "00:00:5e:00:02:ff");
}

TEST(UseVmac, NoneWithoutTheKeyword) {
  auto conf = Instance("");
  EXPECT_TRUE(std::holds_alternative<std::nullopt_t>(PlanVmac(conf, base::Family::kIPv4, "")));
}

TEST(UseVmac, DefaultsAreNameVrrpDotVridAndTheVirtualMac) {
  auto p = Plan(" use_vmac");
  EXPECT_EQ(p.kind, VmacPlan::Kind::kMacvlan);
  EXPECT_EQ(p.name, "vrrp.51");
  EXPECT_EQ(MacToString(p.mac), "00:00:5e:00:01:33");
  EXPECT_FALSE(p.xmit_base);
  EXPECT_EQ(MacToString(Plan(" use_vmac", base::Family::kIPv6, 7).mac), "00:00:5e:00:02:07");
  auto conf = Instance(" use_vmac");
  EXPECT_EQ(std::get<VmacPlan>(PlanVmac(conf, base::Family::kIPv4, "vr")).name, "vr.51");
}

TEST(UseVmac, NameMacAndXmitBase) {
  auto p = Plan(" use_vmac vmac51 02:00:00:00:00:33\n vmac_xmit_base");
  EXPECT_EQ(p.name, "vmac51");
  EXPECT_EQ(MacToString(p.mac), "02:00:00:00:00:33");
  EXPECT_TRUE(p.xmit_base);
}

TEST(UseVmac, BadArgumentsAreNamed) {
  auto conf = Instance(" use_vmac 01:00:5e:00:00:12");
  auto r = PlanVmac(conf, base::Family::kIPv4, "vrrp");
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_NE(std::get<std::string>(r).find("multicast"), std::string::npos);
  conf = Instance(" use_vmac a_name_longer_than_ifnamsiz");
  r = PlanVmac(conf, base::Family::kIPv4, "vrrp");
  ASSERT_TRUE(std::holds_alternative<std::string>(r));
  EXPECT_NE(std::get<std::string>(r).find("cannot be an interface name"), std::string::npos);
  conf = Instance(" use_vmac eth0");
  EXPECT_TRUE(std::holds_alternative<std::string>(PlanVmac(conf, base::Family::kIPv4, "vrrp")));
}

TEST(UseIpvlan, NameAddressAndMode) {
  auto p = Plan(" use_ipvlan ipv1 192.0.2.9/24 private");
  EXPECT_EQ(p.kind, VmacPlan::Kind::kIpvlan);
  EXPECT_EQ(p.name, "ipv1");
  ASSERT_TRUE(p.ipvlan_address);
  EXPECT_EQ(p.ipvlan_address->ToString(), "192.0.2.9/24");
  EXPECT_EQ(p.ipvlan_mode, VmacPlan::IpvlanMode::kPrivate);
  auto q = Plan(" use_ipvlan");
  EXPECT_EQ(q.name, "vrrp.51");
  EXPECT_EQ(q.ipvlan_mode, VmacPlan::IpvlanMode::kBridge);
  EXPECT_FALSE(q.ipvlan_address);
}

}  // namespace
}  // namespace vigil::vrrp
