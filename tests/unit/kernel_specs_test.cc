// What a master asks the kernel for: virtual_ipaddress options, virtual_routes and
// virtual_rules lines turned into address, route and rule specifications.
#include "daemon/kernel_specs.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "fakes/memory_file_source.h"

namespace vigil::daemon {
namespace {

int FakeIfindex(const std::string& name) {
  if (name == "eth0") return 2;
  if (name == "eth1") return 3;
  return 0;
}

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

TEST(RouteLine, GatewayDeviceMetricAndSource) {
  auto r = os::ParseRoute({"src", "192.0.2.40", "203.0.113.0/24", "via", "192.0.2.254", "dev",
                           "eth0", "metric", "10", "table", "100"},
                          FakeIfindex);
  ASSERT_TRUE(std::holds_alternative<os::RouteSpec>(r)) << std::get<std::string>(r);
  const auto& s = std::get<os::RouteSpec>(r);
  EXPECT_EQ(s.destination.ToString(), "203.0.113.0/24");
  EXPECT_EQ(s.gateway, Ip("192.0.2.254"));
  EXPECT_EQ(s.source, Ip("192.0.2.40"));
  EXPECT_EQ(s.oif, 2);
  EXPECT_EQ(s.metric, 10u);
  EXPECT_EQ(s.table, 100u);
  EXPECT_EQ(s.type, 1);  // unicast
  EXPECT_EQ(s.protocol, os::kRtprotKeepalived);
}

TEST(RouteLine, TypeDefaultAndNoTrack) {
  auto r = os::ParseRoute({"blackhole", "203.0.113.128/25", "no_track"}, FakeIfindex);
  ASSERT_TRUE(std::holds_alternative<os::RouteSpec>(r));
  EXPECT_EQ(std::get<os::RouteSpec>(r).type, 6);  // RTN_BLACKHOLE
  auto d = os::ParseRoute({"default", "via", "2001:db8::1", "dev", "eth1"}, FakeIfindex);
  ASSERT_TRUE(std::holds_alternative<os::RouteSpec>(d));
  EXPECT_EQ(std::get<os::RouteSpec>(d).destination.ToString(), "::/0");
  EXPECT_EQ(std::get<os::RouteSpec>(d).family, base::Family::kIPv6);
}

TEST(RouteLine, ErrorsNameTheProblem) {
  auto missing = os::ParseRoute({"198.51.100.0/24", "dev", "eth9"}, FakeIfindex);
  EXPECT_EQ(std::get<std::string>(missing), "no interface 'eth9'");
  auto mixed = os::ParseRoute({"198.51.100.0/24", "via", "2001:db8::1"}, FakeIfindex);
  EXPECT_EQ(std::get<std::string>(mixed), "route mixes IPv4 and IPv6 addresses");
  auto unknown = os::ParseRoute({"198.51.100.0/24", "mtu", "1400"}, FakeIfindex);
  EXPECT_EQ(std::get<std::string>(unknown), "unsupported route option 'mtu'");
}

TEST(RuleLine, FromToTablePriorityAndMark) {
  auto r = os::ParseRule({"from", "192.0.2.40", "table", "100", "priority", "100"});
  ASSERT_TRUE(std::holds_alternative<os::RuleSpec>(r));
  const auto& s = std::get<os::RuleSpec>(r);
  EXPECT_EQ(s.from->ToString(), "192.0.2.40/32");
  EXPECT_EQ(s.table, 100u);
  EXPECT_EQ(s.priority, 100u);
  auto m = os::ParseRule({"not", "to", "2001:db8::/32", "lookup", "main", "fwmark", "0x10/0xff"});
  ASSERT_TRUE(std::holds_alternative<os::RuleSpec>(m)) << std::get<std::string>(m);
  const auto& t = std::get<os::RuleSpec>(m);
  EXPECT_TRUE(t.invert);
  EXPECT_EQ(t.family, base::Family::kIPv6);
  EXPECT_EQ(t.table, 254u);
  EXPECT_EQ(t.fwmark, 16u);
  EXPECT_EQ(t.fwmask, 255u);
}

TEST(KernelSpecs, AddressOptionsAndInstanceLines) {
  const char* text = R"(
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  virtual_ipaddress {
    192.0.2.10/24 brd + scope link label eth0:vip
    192.0.2.11/24 brd - dev eth1 noprefixroute
    192.0.2.12 peer 192.0.2.13/30 preferred_lft 0
  }
  virtual_ipaddress_excluded {
    2001:db8::10/64 home
  }
  virtual_routes {
    198.51.100.0/24 via 192.0.2.254 dev eth0
  }
  virtual_rules {
    from 192.0.2.10 table 100
  }
}
)";
  testing::MemoryFileSource fs;
  fs.Add("k.conf", text);
  config::LoadOptions opts;
  opts.interface_exists = [](const std::string& n) { return FakeIfindex(n) != 0; };
  auto r = config::Load("k.conf", fs, opts);
  ASSERT_FALSE(r.diags.HasAtLeast(base::Severity::kError));
  const auto& conf = r.config.vrrp_instances.front();
  KernelSpecs k = SpecsFor(conf, 2, FakeIfindex);
  EXPECT_TRUE(k.errors.empty());
  ASSERT_EQ(k.addresses.size(), 4u);
  EXPECT_EQ(k.addresses[0].broadcast, Ip("192.0.2.255"));
  EXPECT_EQ(k.addresses[0].scope, 253);
  EXPECT_EQ(k.addresses[0].label, "eth0:vip");
  EXPECT_EQ(k.addresses[0].ifindex, 2);
  EXPECT_EQ(k.addresses[1].broadcast, Ip("192.0.2.0"));
  EXPECT_EQ(k.addresses[1].ifindex, 3);
  EXPECT_TRUE(k.addresses[1].noprefixroute);
  EXPECT_EQ(k.addresses[2].peer, Ip("192.0.2.13"));
  EXPECT_EQ(k.addresses[2].preferred_lft, 0u);
  EXPECT_TRUE(k.addresses[3].home);
  ASSERT_EQ(k.routes.size(), 1u);
  EXPECT_EQ(k.routes[0].gateway, Ip("192.0.2.254"));
  ASSERT_EQ(k.rules.size(), 1u);
  EXPECT_EQ(k.rules[0].table, 100u);
}

}  // namespace
}  // namespace vigil::daemon
