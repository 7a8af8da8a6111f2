// The nftables rendering of a load-balancer table: weighted numgen / jhash maps, weight 0
// left out, and the schedulers and forwarding methods nftables cannot do named. The expected
// text was checked with `nft -f` in a network namespace (nftables 1.0.6).
#include <gtest/gtest.h>

#include "lb/nft_render.h"

namespace vigil::lb {
namespace {

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

Service S(const char* vip, int port, std::string sched,
          std::vector<std::pair<const char*, int>> d) {
  Service s;
  s.key.address = Ip(vip);
  s.key.port = port;
  s.scheduler = std::move(sched);
  for (auto [a, w] : d) s.destinations.push_back({Ip(a), 8080, w, model::LvsMethod::kNat});
  return s;
}

TEST(LbNft, WeightedRoundRobinAndSourceHash) {
  auto text = RenderNft(
      {S("203.0.113.10", 80, "wrr", {{"192.0.2.1", 1}, {"192.0.2.2", 2}, {"192.0.2.3", 3}}),
       S("203.0.113.10", 81, "sh", {{"192.0.2.1", 1}, {"192.0.2.2", 2}}),
       S("2001:db8::10", 80, "rr", {{"2001:db8::1", 1}, {"2001:db8::2", 1}})},
      "vigil_lb");
  EXPECT_EQ(text,
            "add table inet vigil_lb\n"
            "flush table inet vigil_lb\n"
            "add chain inet vigil_lb prerouting { type nat hook prerouting priority dstnat; "
            "policy accept; }\n"
            "add chain inet vigil_lb output { type nat hook output priority -100; policy "
            "accept; }\n"
            "add rule inet vigil_lb prerouting ip daddr 203.0.113.10 tcp dport 80 dnat ip to "
            "numgen inc mod 6 map { 0-0 : 192.0.2.1 . 8080, 1-2 : 192.0.2.2 . 8080, 3-5 : "
            "192.0.2.3 . 8080 }\n"
            "add rule inet vigil_lb output ip daddr 203.0.113.10 tcp dport 80 dnat ip to "
            "numgen inc mod 6 map { 0-0 : 192.0.2.1 . 8080, 1-2 : 192.0.2.2 . 8080, 3-5 : "
            "192.0.2.3 . 8080 }\n"
            "add rule inet vigil_lb prerouting ip daddr 203.0.113.10 tcp dport 81 dnat ip to "
            "jhash ip saddr mod 3 map { 0-0 : 192.0.2.1 . 8080, 1-2 : 192.0.2.2 . 8080 }\n"
            "add rule inet vigil_lb output ip daddr 203.0.113.10 tcp dport 81 dnat ip to "
            "jhash ip saddr mod 3 map { 0-0 : 192.0.2.1 . 8080, 1-2 : 192.0.2.2 . 8080 }\n"
            "add rule inet vigil_lb prerouting ip6 daddr 2001:db8::10 tcp dport 80 dnat ip6 to "
            "numgen inc mod 2 map { 0-0 : 2001:db8::1 . 8080, 1-1 : 2001:db8::2 . 8080 }\n"
            "add rule inet vigil_lb output ip6 daddr 2001:db8::10 tcp dport 80 dnat ip6 to "
            "numgen inc mod 2 map { 0-0 : 2001:db8::1 . 8080, 1-1 : 2001:db8::2 . 8080 }\n");
}

TEST(LbNft, WeightZeroGetsNoShareAndAnEmptyServiceIsLeftOut) {
  auto text = RenderNft({S("203.0.113.10", 80, "wrr", {{"192.0.2.1", 0}, {"192.0.2.2", 2}}),
                         S("203.0.113.11", 80, "wrr", {{"192.0.2.1", 0}})},
                        "t");
  EXPECT_NE(text.find("numgen inc mod 2 map { 0-1 : 192.0.2.2 . 8080 }"), std::string::npos);
  EXPECT_EQ(text.find("192.0.2.1"), std::string::npos);
  EXPECT_EQ(text.find("203.0.113.11"), std::string::npos);
}

TEST(LbNft, IpvsOnlySchedulersAndMethodsAreNamed) {
  EXPECT_EQ(NftUnsupported(S("203.0.113.10", 80, "wrr", {{"192.0.2.1", 1}})), "");
  EXPECT_NE(NftUnsupported(S("203.0.113.10", 80, "wlc", {})).find("lb_algo wlc has no nftables"),
            std::string::npos);
  auto dr = S("203.0.113.10", 80, "rr", {{"192.0.2.1", 1}});
  dr.destinations[0].method = model::LvsMethod::kDr;
  EXPECT_NE(NftUnsupported(dr).find("DR/TUN needs IPVS"), std::string::npos);
  auto fw = S("203.0.113.10", 80, "rr", {});
  fw.key.kind = model::VsKeyKind::kFwmark;
  EXPECT_NE(NftUnsupported(fw).find("fwmark"), std::string::npos);
  // An unsupported service renders to nothing rather than to a wrong rule.
  EXPECT_EQ(RenderNft({S("203.0.113.10", 80, "wlc", {{"192.0.2.1", 1}})}, "t").find("dnat"),
            std::string::npos);
}

TEST(LbNft, PerConnectionStateOfIpvsIsRefusedNotDropped) {
  auto base = S("203.0.113.10", 80, "sh", {{"192.0.2.1", 1}});
  EXPECT_EQ(NftUnsupported(base), "");
  auto persistent = base;
  persistent.persistence_timeout = std::chrono::seconds(60);
  EXPECT_EQ(NftUnsupported(persistent), "persistence_timeout needs IPVS");
  auto engine = base;
  engine.persistence_engine = "sip";
  EXPECT_EQ(NftUnsupported(engine), "persistence_engine needs IPVS");
  auto ops = base;
  ops.one_packet = true;
  EXPECT_NE(NftUnsupported(ops).find("ops"), std::string::npos);
  auto flags = base;
  flags.sched_flag2 = true;
  EXPECT_NE(NftUnsupported(flags).find("sh-port"), std::string::npos);
  auto limits = base;
  limits.destinations[0].uthreshold = 100;
  EXPECT_NE(NftUnsupported(limits).find("uthreshold"), std::string::npos);
}

}  // namespace
}  // namespace vigil::lb
