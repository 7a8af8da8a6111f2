// The load balancer's desired table (keepalived.conf(5): weight, inhibit_on_failure, quorum,
// hysteresis, sorry_server, sorry_server_inhibit) and the ordered diff the dataplane applies.
#include <gtest/gtest.h>

#include "lb/desired.h"

namespace vigil::lb {
namespace {

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

model::VirtualServerConf Vs(std::vector<int> weights) {
  model::VirtualServerConf vs;
  vs.address = Ip("203.0.113.10");
  vs.port = 80;
  vs.lb_algo = "wrr";
  int i = 1;
  for (int w : weights) {
    model::RealServerConf rs;
    rs.address = Ip(("192.0.2." + std::to_string(i++)).c_str());
    rs.port = 8080;
    rs.weight = w;
    vs.real_servers.push_back(rs);
  }
  return vs;
}

std::vector<int> Weights(const Service& s) {
  std::vector<int> w;
  for (const auto& d : s.destinations) w.push_back(d.weight);
  return w;
}

TEST(KeepalivedVirtualServerGroup, KeysOfRangesAndFwmarks) {
  model::VirtualServerGroupConf g;
  g.name = "G";
  model::VsGroupEntry range;
  range.first = Ip("192.0.2.10");
  range.last = Ip("192.0.2.12");
  range.port = 443;
  model::VsGroupEntry single;
  single.first = Ip("2001:db8::fffe");
  single.last = Ip("2001:db8::1:1");  // keepalived varies the last 16 bits only
  model::VsGroupEntry mark;
  mark.fwmark = 7;
  g.entries = {range, single, mark};
  model::VirtualServerConf vs;
  vs.key_kind = model::VsKeyKind::kGroup;
  vs.group = "G";
  vs.port = 80;
  vs.protocol = "UDP";
  auto keys = KeysOf(vs, {g});
  ASSERT_EQ(keys.size(), 4u);  // .10 .11 .12, and the fwmark (the v6 range is empty)
  EXPECT_EQ(keys[0].address, Ip("192.0.2.10"));
  EXPECT_EQ(keys[2].address, Ip("192.0.2.12"));
  EXPECT_EQ(keys[1].port, 443);
  EXPECT_EQ(keys[1].protocol, "UDP");
  EXPECT_EQ(keys[3].kind, model::VsKeyKind::kFwmark);
  EXPECT_EQ(keys[3].fwmark, 7);
  vs.group = "missing";
  EXPECT_TRUE(KeysOf(vs, {g}).empty());
  model::VirtualServerConf plain = Vs({1});
  ASSERT_EQ(KeysOf(plain, {}).size(), 1u);
  EXPECT_EQ(KeysOf(plain, {})[0].address, Ip("203.0.113.10"));
}

TEST(KeepalivedVirtualServer, AliveRealServersWithTheirWeights) {
  auto vs = Vs({1, 2, 3});
  auto st = Desired(vs, {true, false, true}, {}, true);
  EXPECT_EQ(st.service.scheduler, "wrr");
  EXPECT_EQ(st.service.key.port, 80);
  EXPECT_EQ(Weights(st.service), (std::vector<int>{1, 3}));
  EXPECT_EQ(st.service.destinations[1].address, Ip("192.0.2.3"));
  EXPECT_EQ(st.service.destinations[1].port, 8080);
  EXPECT_EQ(st.live_weight, 4);
  EXPECT_TRUE(st.quorum);
  // A dynamic weight (misc_dynamic) replaces the configured one.
  EXPECT_EQ(Weights(Desired(vs, {true, true, true}, {5, 2, 3}, true).service),
            (std::vector<int>{5, 2, 3}));
}

TEST(KeepalivedVirtualServer, InhibitOnFailureKeepsAFailedServerAtWeightZero) {
  auto vs = Vs({1, 2});
  vs.real_servers[1].inhibit_on_failure = true;
  auto st = Desired(vs, {true, false}, {}, true);
  EXPECT_EQ(Weights(st.service), (std::vector<int>{1, 0}));
  EXPECT_EQ(st.live_weight, 1);
  vs.inhibit_on_failure = true;  // virtual-server level: for every server
  EXPECT_EQ(Weights(Desired(vs, {false, false}, {}, true).service), (std::vector<int>{0, 0}));
}

TEST(KeepalivedVirtualServer, QuorumLossBringsInTheSorryServer) {
  auto vs = Vs({1, 1, 1});
  vs.quorum = 2;
  vs.sorry_server = Ip("198.51.100.9");
  vs.sorry_server_port = 81;
  auto ok = Desired(vs, {true, true, false}, {}, true);
  EXPECT_TRUE(ok.quorum);
  EXPECT_EQ(ok.service.destinations.size(), 2u);
  auto lost = Desired(vs, {true, false, false}, {}, true);
  EXPECT_FALSE(lost.quorum);
  ASSERT_EQ(lost.service.destinations.size(), 1u);  // the real servers give way
  EXPECT_EQ(lost.service.destinations[0].address, Ip("198.51.100.9"));
  EXPECT_EQ(lost.service.destinations[0].port, 81);
  // Without a sorry server the live ones stay.
  vs.sorry_server.reset();
  EXPECT_EQ(Desired(vs, {true, false, false}, {}, true).service.destinations.size(), 1u);
}

TEST(KeepalivedVirtualServer, SorryServerInhibitKeepsItAtWeightZeroWhileIdle) {
  auto vs = Vs({1});
  vs.sorry_server = Ip("198.51.100.9");
  vs.sorry_server_inhibit = true;
  auto st = Desired(vs, {true}, {}, true);
  ASSERT_EQ(st.service.destinations.size(), 2u);
  EXPECT_EQ(st.service.destinations[1].weight, 0);
  EXPECT_EQ(st.service.destinations[1].port, 80);  // the virtual server's port by default
}

TEST(KeepalivedVirtualServer, HysteresisDampensQuorumFlaps) {
  // quorum 4, hysteresis 1: lost below 3, regained at 5.
  EXPECT_TRUE(QuorumAfter(true, 3, 4, 1));
  EXPECT_FALSE(QuorumAfter(true, 2, 4, 1));
  EXPECT_FALSE(QuorumAfter(false, 4, 4, 1));
  EXPECT_TRUE(QuorumAfter(false, 5, 4, 1));
  EXPECT_TRUE(QuorumAfter(false, 1, 1, 0));
  EXPECT_FALSE(QuorumAfter(true, 0, 1, 0));
}

TEST(LbDiff, NewServiceThenDestinations) {
  auto s = Desired(Vs({1, 2}), {true, true}, {}, true).service;
  auto steps = Diff({}, {s});
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].kind, Step::Kind::kAddService);
  EXPECT_TRUE(steps[0].service_value->destinations.empty());
  EXPECT_EQ(steps[1].kind, Step::Kind::kAddDestination);
  EXPECT_EQ(steps[2].kind, Step::Kind::kAddDestination);
  EXPECT_TRUE(Diff({s}, {s}).empty());  // nothing to do
}

TEST(LbDiff, EditsAddsBeforeDeletesAndRemovedServicesLast) {
  auto vs = Vs({1, 2, 3});
  auto before = Desired(vs, {true, true, false}, {}, true).service;
  auto after = Desired(vs, {false, true, true}, {7, 2, 3}, true).service;  // .1 down, .3 up
  after.scheduler = "rr";
  model::VirtualServerConf other = Vs({1});
  other.port = 443;
  auto gone = Desired(other, {true}, {}, true).service;
  auto steps = Diff({before, gone}, {after});
  std::vector<Step::Kind> kinds;
  for (const auto& st : steps) kinds.push_back(st.kind);
  EXPECT_EQ(kinds,
            (std::vector<Step::Kind>{Step::Kind::kEditService, Step::Kind::kAddDestination,
                                     Step::Kind::kDeleteDestination, Step::Kind::kDeleteService}));
  EXPECT_EQ(steps[1].destination_value->address, Ip("192.0.2.3"));
  EXPECT_EQ(steps[2].destination_value->address, Ip("192.0.2.1"));
  EXPECT_EQ(steps[3].service.port, 443);
  // A weight change is an edit of that destination only.
  auto heavier = before;
  heavier.destinations[1].weight = 9;
  auto w = Diff({before}, {heavier});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].kind, Step::Kind::kEditDestination);
  EXPECT_EQ(w[0].destination_value->weight, 9);
}

// keepalived.conf(5): ops, the scheduler flags (sh-/mh- names share flag-1 and flag-2),
// persistence_timeout / _granularity / _engine reach the service.
TEST(KeepalivedVirtualServer, ServiceFlagsAndPersistence) {
  auto vs = Vs({1});
  EXPECT_FALSE(Desired(vs, {true}, {}, true).service.one_packet);
  vs.ops = true;
  vs.sh_port = true;
  vs.mh_fallback = true;
  vs.persistence_timeout = std::chrono::milliseconds(299'600);  // IPVS keeps whole seconds
  vs.persistence_granularity = Ip("255.255.255.0");
  vs.persistence_engine = "sip";
  auto s = Desired(vs, {true}, {}, true).service;
  EXPECT_TRUE(s.one_packet);
  EXPECT_TRUE(s.sched_flag1);  // mh-fallback
  EXPECT_TRUE(s.sched_flag2);  // sh-port
  EXPECT_FALSE(s.sched_flag3);
  EXPECT_EQ(s.persistence_timeout, std::chrono::seconds(300));
  EXPECT_EQ(s.persistence_granularity, Ip("255.255.255.0"));
  EXPECT_EQ(s.persistence_engine, "sip");
  vs.persistence_granularity = Ip("255.255.255.255");  // the full mask: the same as none
  EXPECT_FALSE(Desired(vs, {true}, {}, true).service.persistence_granularity);
  vs.flag3 = true;
  EXPECT_TRUE(Desired(vs, {true}, {}, true).service.sched_flag3);
}

// uthreshold / lthreshold and `lb_kind TUN type gue port N csum`, the real server's own
// forwarding over the virtual server's, and the sorry server's.
TEST(KeepalivedVirtualServer, ThresholdsAndTunnelOptions) {
  auto vs = Vs({1, 2});
  vs.forwarding =
      model::ForwardingConf{model::LvsMethod::kTun, {"type", "gue", "port", "6080", "csum"}};
  vs.real_servers[0].uthreshold = 100;
  vs.real_servers[0].lthreshold = 10;
  vs.real_servers[1].forwarding = model::ForwardingConf{model::LvsMethod::kDr, {}};
  vs.sorry_server = Ip("192.0.2.99");
  vs.sorry_server_forwarding = model::ForwardingConf{model::LvsMethod::kTun, {"type", "gre"}};
  vs.sorry_server_inhibit = true;
  auto s = Desired(vs, {true, true}, {}, true).service;
  ASSERT_EQ(s.destinations.size(), 3u);
  const auto& tun = s.destinations[0];
  EXPECT_EQ(tun.method, model::LvsMethod::kTun);
  EXPECT_EQ(tun.tunnel_type, TunnelType::kGue);
  EXPECT_EQ(tun.tunnel_port, 6080);
  EXPECT_EQ(tun.tunnel_csum, TunnelCsum::kCsum);
  EXPECT_EQ(tun.uthreshold, 100);
  EXPECT_EQ(tun.lthreshold, 10);
  const auto& dr = s.destinations[1];
  EXPECT_EQ(dr.method, model::LvsMethod::kDr);
  EXPECT_EQ(dr.tunnel_type, TunnelType::kIpip);  // tunnel fields stay default off TUN
  EXPECT_EQ(dr.tunnel_port, 0);
  EXPECT_EQ(dr.uthreshold, 0);
  const auto& sorry = s.destinations[2];
  EXPECT_EQ(sorry.weight, 0);
  EXPECT_EQ(sorry.tunnel_type, TunnelType::kGre);
  EXPECT_EQ(sorry.tunnel_csum, TunnelCsum::kNoCsum);
  Destination plain;
  ApplyForwarding({model::LvsMethod::kTun, {"remcsum"}}, &plain);
  EXPECT_EQ(plain.tunnel_type, TunnelType::kIpip);
  EXPECT_EQ(plain.tunnel_csum, TunnelCsum::kRemCsum);
}

// A fwmark service's family: ip_family, else the non-tunnelled real servers', else IPv4.
TEST(KeepalivedVirtualServer, FwmarkFamily) {
  model::VirtualServerConf vs;
  vs.key_kind = model::VsKeyKind::kFwmark;
  vs.fwmark = 5;
  EXPECT_TRUE(KeysOf(vs, {})[0].address.is_v4());
  model::RealServerConf tun;
  tun.address = Ip("192.0.2.1");
  tun.forwarding = model::ForwardingConf{model::LvsMethod::kTun, {}};
  model::RealServerConf v6;
  v6.address = Ip("2001:db8::1");
  vs.real_servers = {tun, v6};
  auto k = KeysOf(vs, {});
  ASSERT_EQ(k.size(), 1u);
  EXPECT_EQ(k[0].kind, model::VsKeyKind::kFwmark);
  EXPECT_EQ(k[0].fwmark, 5);
  EXPECT_FALSE(k[0].address.is_v4());
  vs.ip_family = "inet";
  EXPECT_TRUE(KeysOf(vs, {})[0].address.is_v4());
  vs.real_servers.clear();
  vs.ip_family = "inet6";
  EXPECT_FALSE(KeysOf(vs, {})[0].address.is_v4());
}

// What IPVS needs beyond weights is compared too: a changed service flag or persistence is one
// service edit (no delete and re-add), a changed threshold or tunnel one destination edit.
TEST(LbDiff, ServiceFlagsAndDestinationOptionsAreEdits) {
  auto base = Desired(Vs({1, 2}), {true, true}, {}, true).service;
  auto check_service_edit = [&](auto change) {
    auto s = base;
    change(s);
    auto steps = Diff({base}, {s});
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].kind, Step::Kind::kEditService);
    EXPECT_EQ(*steps[0].service_value, [&] {
      auto h = s;
      h.destinations.clear();
      return h;
    }());
  };
  check_service_edit([](Service& s) { s.one_packet = true; });
  check_service_edit([](Service& s) { s.sched_flag1 = true; });
  check_service_edit([](Service& s) { s.sched_flag2 = true; });
  check_service_edit([](Service& s) { s.sched_flag3 = true; });
  check_service_edit([](Service& s) { s.persistence_timeout = std::chrono::seconds(60); });
  check_service_edit([](Service& s) { s.persistence_granularity = Ip("255.255.0.0"); });
  check_service_edit([](Service& s) { s.persistence_engine = "sip"; });
  auto check_dest_edit = [&](auto change) {
    auto s = base;
    change(s.destinations[1]);
    auto steps = Diff({base}, {s});
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].kind, Step::Kind::kEditDestination);
    EXPECT_EQ(*steps[0].destination_value, s.destinations[1]);
  };
  check_dest_edit([](Destination& d) { d.uthreshold = 5; });
  check_dest_edit([](Destination& d) { d.lthreshold = 1; });
  check_dest_edit([](Destination& d) { d.method = model::LvsMethod::kDr; });
  check_dest_edit([](Destination& d) { d.tunnel_type = TunnelType::kGue; });
  check_dest_edit([](Destination& d) { d.tunnel_port = 6080; });
  check_dest_edit([](Destination& d) { d.tunnel_csum = TunnelCsum::kCsum; });
  // Destinations are matched by address and port, not by position: a kernel listing in
  // another order is no change.
  auto reordered = base;
  std::swap(reordered.destinations[0], reordered.destinations[1]);
  EXPECT_TRUE(Diff({reordered}, {base}).empty());
}

}  // namespace
}  // namespace vigil::lb
