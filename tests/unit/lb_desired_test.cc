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

}  // namespace
}  // namespace vigil::lb
