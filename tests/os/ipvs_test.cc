// os::Ipvs against the kernel's IPVS: services, destinations, the sync daemon and the errors,
// each read back through netlink, and the whole table read back by ipvsadm (VIGIL_IPVSADM)
// as an independent check. Skips where the kernel has no IPVS, unless VIGIL_REQUIRE_IPVS is
// set: tests/qemu/ipvs_netlink.sh runs it as root in a guest whose kernel has it. Only the
// tables are programmed; nothing is sent on the wire.
#include "os/linux/ipvs.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <type_traits>

namespace vigil::os {
namespace {

static_assert(!std::is_copy_constructible_v<Ipvs> && std::is_move_constructible_v<Ipvs>);

base::IpAddress Ip(const char* text) { return *base::IpAddress::Parse(text); }

IpvsService Service(int protocol, const char* addr, uint16_t port, const char* sched = "rr") {
  IpvsService s;
  s.address = Ip(addr);
  s.family = s.address.is_v4() ? AF_INET : AF_INET6;
  s.protocol = protocol;
  s.port = port;
  s.scheduler = sched;
  return s;
}

IpvsService Fwmark(int family, uint32_t mark, const char* sched = "wlc") {
  IpvsService s;
  s.family = family;
  s.protocol = 0;
  s.fwmark = mark;
  s.scheduler = sched;
  return s;
}

IpvsDest Dest(const char* addr, uint16_t port, uint32_t fwd = IP_VS_CONN_F_MASQ, int weight = 1) {
  IpvsDest d;
  d.address = Ip(addr);
  d.port = port;
  d.fwd_method = fwd;
  d.weight = weight;
  return d;
}

const IpvsService* Find(const std::vector<IpvsService>& v, const IpvsService& key) {
  for (const auto& s : v) {
    bool same = s.family == key.family && s.fwmark == key.fwmark &&
                (key.fwmark ||
                 (s.protocol == key.protocol && s.address == key.address && s.port == key.port));
    if (same) return &s;
  }
  return nullptr;
}

const IpvsDest* Find(const std::vector<IpvsDest>& v, const char* addr, uint16_t port) {
  for (const auto& d : v) {
    if (d.address == Ip(addr) && d.port == port) return &d;
  }
  return nullptr;
}

uint32_t Mask(int prefix) { return htonl(prefix ? ~uint32_t{0} << (32 - prefix) : 0); }

// Runs a command; its output with every run of blanks made one space, line by line.
std::string RunCommand(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return "popen failed";
  char buf[512];
  while (::fgets(buf, sizeof buf, p)) out += buf;
  ::pclose(p);
  std::string norm;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string w, joined;
    while (words >> w) joined += (joined.empty() ? "" : " ") + w;
    norm += joined + "\n";
  }
  return norm;
}

bool HasLine(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

class IpvsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string err;
    ipvs_ = Ipvs::Open(&err);
    if (!ipvs_) {
      if (err.find("has no IPVS") != std::string::npos && !std::getenv("VIGIL_REQUIRE_IPVS")) {
        GTEST_SKIP() << err << " (set VIGIL_REQUIRE_IPVS to fail instead)";
      }
      FAIL() << err;
    }
    ASSERT_TRUE(ipvs_->Flush(&err)) << err;
  }
  void TearDown() override {
    if (!ipvs_) return;
    std::string e;
    ipvs_->Flush(&e);
    ipvs_->StopSyncDaemon(IP_VS_STATE_MASTER, &e);
    ipvs_->StopSyncDaemon(IP_VS_STATE_BACKUP, &e);
  }
  std::vector<IpvsService> Services() {
    std::vector<IpvsService> v;
    EXPECT_TRUE(ipvs_->ListServices(&v, &err_)) << err_;
    return v;
  }
  std::vector<IpvsDest> Dests(const IpvsService& s) {
    std::vector<IpvsDest> v;
    EXPECT_TRUE(ipvs_->ListDests(s, &v, &err_)) << err_;
    return v;
  }
  std::optional<Ipvs> ipvs_;
  std::string err_;
};

TEST_F(IpvsTest, AddsATcpServiceAndReadsItBack) {
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.10", 80, "rr");
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].family, AF_INET);
  EXPECT_EQ(v[0].protocol, IPPROTO_TCP);
  EXPECT_EQ(v[0].address, Ip("192.0.2.10"));
  EXPECT_EQ(v[0].port, 80);
  EXPECT_EQ(v[0].fwmark, 0u);
  EXPECT_EQ(v[0].scheduler, "rr");
  EXPECT_EQ(v[0].flags, uint32_t{IP_VS_SVC_F_HASHED});  // the kernel's mark of a live service
  EXPECT_EQ(v[0].timeout, 0u);
  EXPECT_EQ(v[0].netmask, 0xffffffffU);  // 0 was sent as "all 32 bits"
  EXPECT_EQ(v[0].pe_name, "");
  IpvsService got;
  ASSERT_TRUE(ipvs_->GetService(s, &got, &err_)) << err_;
  EXPECT_EQ(got.scheduler, "rr");
  EXPECT_TRUE(Dests(s).empty());
}

TEST_F(IpvsTest, EditsAServiceToWrrWithPersistenceAndANetmask) {
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.10", 80, "rr");
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  s.scheduler = "wrr";
  s.flags = IP_VS_SVC_F_PERSISTENT;
  s.timeout = 300;
  s.netmask = Mask(24);
  ASSERT_TRUE(ipvs_->EditService(s, &err_)) << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].scheduler, "wrr");
  EXPECT_EQ(v[0].flags, uint32_t{IP_VS_SVC_F_PERSISTENT | IP_VS_SVC_F_HASHED});
  EXPECT_EQ(v[0].timeout, 300u);
  EXPECT_EQ(v[0].netmask, htonl(0xffffff00));
  // And back: persistence off.
  s.flags = 0;
  s.timeout = 0;
  s.netmask = 0;
  ASSERT_TRUE(ipvs_->EditService(s, &err_)) << err_;
  v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].flags, uint32_t{IP_VS_SVC_F_HASHED});
  EXPECT_EQ(v[0].timeout, 0u);
}

TEST_F(IpvsTest, AddsNatDrAndTunnelDestinationsAndReadsEveryFieldBack) {
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.10", 80, "wrr");
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  IpvsDest n1 = Dest("198.51.100.1", 80, IP_VS_CONN_F_MASQ, 1);
  IpvsDest n2 = Dest("198.51.100.2", 8080, IP_VS_CONN_F_MASQ, 2);
  n2.u_threshold = 100;
  n2.l_threshold = 10;
  IpvsDest n3 = Dest("198.51.100.3", 80, IP_VS_CONN_F_MASQ, 3);
  IpvsDest dr = Dest("198.51.100.4", 80, IP_VS_CONN_F_DROUTE, 5);
  IpvsDest tun = Dest("203.0.113.5", 80, IP_VS_CONN_F_TUNNEL, 7);
  tun.tun_type = IP_VS_CONN_F_TUNNEL_TYPE_GUE;
  tun.tun_port = 6080;
  tun.tun_flags = IP_VS_TUNNEL_ENCAP_FLAG_CSUM;
  for (const auto& d : {n1, n2, n3, dr, tun}) ASSERT_TRUE(ipvs_->AddDest(s, d, &err_)) << err_;
  auto v = Dests(s);
  ASSERT_EQ(v.size(), 5u);
  for (const auto& want : {n1, n2, n3, dr, tun}) {
    const IpvsDest* d = Find(v, want.address.ToString().c_str(), want.port);
    ASSERT_TRUE(d) << want.address.ToString();
    EXPECT_EQ(d->family, AF_INET);
    EXPECT_EQ(d->fwd_method, want.fwd_method) << want.address.ToString();
    EXPECT_EQ(d->weight, want.weight) << want.address.ToString();
    EXPECT_EQ(d->u_threshold, want.u_threshold);
    EXPECT_EQ(d->l_threshold, want.l_threshold);
    EXPECT_EQ(d->tun_type, want.tun_type);
    EXPECT_EQ(d->tun_port, want.tun_port);
    EXPECT_EQ(d->tun_flags, want.tun_flags);
    EXPECT_EQ(d->active_conns, 0u);
  }
}

TEST_F(IpvsTest, EditsADestinationsWeightAndDeletesADestination) {
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.10", 80, "wrr");
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  IpvsDest a = Dest("198.51.100.1", 80, IP_VS_CONN_F_MASQ, 1);
  IpvsDest b = Dest("198.51.100.2", 80, IP_VS_CONN_F_MASQ, 2);
  ASSERT_TRUE(ipvs_->AddDest(s, a, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(s, b, &err_)) << err_;
  a.weight = 0;  // drained: no new connections
  a.u_threshold = 50;
  ASSERT_TRUE(ipvs_->EditDest(s, a, &err_)) << err_;
  auto v = Dests(s);
  ASSERT_EQ(v.size(), 2u);
  ASSERT_TRUE(Find(v, "198.51.100.1", 80));
  EXPECT_EQ(Find(v, "198.51.100.1", 80)->weight, 0);
  EXPECT_EQ(Find(v, "198.51.100.1", 80)->u_threshold, 50u);
  EXPECT_EQ(Find(v, "198.51.100.2", 80)->weight, 2);
  ASSERT_TRUE(ipvs_->DelDest(s, b, &err_)) << err_;
  v = Dests(s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].address, Ip("198.51.100.1"));
  // Edits change the forwarding method too.
  a.fwd_method = IP_VS_CONN_F_DROUTE;
  ASSERT_TRUE(ipvs_->EditDest(s, a, &err_)) << err_;
  EXPECT_EQ(Dests(s).at(0).fwd_method, uint32_t{IP_VS_CONN_F_DROUTE});
}

TEST_F(IpvsTest, UdpAndSctpServices) {
  IpvsService udp = Service(IPPROTO_UDP, "192.0.2.53", 53, "rr");
  IpvsService sctp = Service(IPPROTO_SCTP, "192.0.2.53", 3868, "wlc");
  IpvsService tcp = Service(IPPROTO_TCP, "192.0.2.53", 53, "rr");  // same address and port
  for (const auto& s : {udp, sctp, tcp}) ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(udp, Dest("198.51.100.53", 53), &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(sctp, Dest("198.51.100.54", 3868), &err_)) << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 3u);
  ASSERT_TRUE(Find(v, udp));
  ASSERT_TRUE(Find(v, sctp));
  EXPECT_EQ(Find(v, sctp)->scheduler, "wlc");
  EXPECT_EQ(Dests(udp).at(0).address, Ip("198.51.100.53"));
  EXPECT_EQ(Dests(sctp).at(0).address, Ip("198.51.100.54"));
  EXPECT_TRUE(Dests(tcp).empty());
}

TEST_F(IpvsTest, AnIpv6ServiceWithIpv6Destinations) {
  IpvsService s = Service(IPPROTO_TCP, "2001:db8::10", 443, "wrr");
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(s, Dest("2001:db8:1::1", 443, IP_VS_CONN_F_MASQ, 2), &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(s, Dest("2001:db8:1::2", 8443, IP_VS_CONN_F_DROUTE, 3), &err_))
      << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].family, AF_INET6);
  EXPECT_EQ(v[0].address, Ip("2001:db8::10"));
  EXPECT_EQ(v[0].port, 443);
  EXPECT_EQ(v[0].netmask, 128u);  // IPv6 granularity is a prefix length
  auto d = Dests(s);
  ASSERT_EQ(d.size(), 2u);
  ASSERT_TRUE(Find(d, "2001:db8:1::1", 443));
  EXPECT_EQ(Find(d, "2001:db8:1::1", 443)->family, AF_INET6);
  EXPECT_EQ(Find(d, "2001:db8:1::1", 443)->weight, 2);
  EXPECT_EQ(Find(d, "2001:db8:1::2", 8443)->fwd_method, uint32_t{IP_VS_CONN_F_DROUTE});
  // Persistence by /64.
  s.flags = IP_VS_SVC_F_PERSISTENT;
  s.timeout = 600;
  s.netmask = 64;
  ASSERT_TRUE(ipvs_->EditService(s, &err_)) << err_;
  EXPECT_EQ(Services().at(0).netmask, 64u);
  // A prefix length past 128 is the kernel's EINVAL, not a crash.
  s.netmask = 129;
  EXPECT_FALSE(ipvs_->EditService(s, &err_));
  EXPECT_NE(err_.find("Invalid argument"), std::string::npos) << err_;
}

TEST_F(IpvsTest, FwmarkServicesOfBothFamilies) {
  IpvsService v4 = Fwmark(AF_INET, 7, "rr");
  IpvsService v6 = Fwmark(AF_INET6, 7, "wlc");  // the same mark: one per family
  ASSERT_TRUE(ipvs_->AddService(v4, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddService(v6, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(v4, Dest("198.51.100.7", 0, IP_VS_CONN_F_DROUTE), &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(v6, Dest("2001:db8:7::1", 0, IP_VS_CONN_F_DROUTE), &err_)) << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 2u);
  const IpvsService* a = Find(v, v4);
  const IpvsService* b = Find(v, v6);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->fwmark, 7u);
  EXPECT_EQ(a->protocol, 0);  // a fwmark service has no protocol, address or port
  EXPECT_EQ(a->port, 0);
  EXPECT_EQ(a->scheduler, "rr");
  EXPECT_EQ(b->family, AF_INET6);
  EXPECT_EQ(b->scheduler, "wlc");
  EXPECT_EQ(Dests(v4).at(0).address, Ip("198.51.100.7"));
  EXPECT_EQ(Dests(v6).at(0).address, Ip("2001:db8:7::1"));
  ASSERT_TRUE(ipvs_->DelService(v4, &err_)) << err_;
  v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].family, AF_INET6);
}

TEST_F(IpvsTest, SchedulerFlagsAndOnePacket) {
  IpvsService s = Service(IPPROTO_UDP, "192.0.2.11", 53, "sh");
  s.flags = IP_VS_SVC_F_ONEPACKET | IP_VS_SVC_F_SCHED_SH_FALLBACK | IP_VS_SVC_F_SCHED_SH_PORT;
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  auto v = Services();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].flags, s.flags | IP_VS_SVC_F_HASHED);
  s.flags = IP_VS_SVC_F_SCHED3;
  ASSERT_TRUE(ipvs_->EditService(s, &err_)) << err_;
  EXPECT_EQ(Services().at(0).flags, uint32_t{IP_VS_SVC_F_SCHED3 | IP_VS_SVC_F_HASHED});
  // A service read back (HASHED set) can be given back as it is.
  IpvsService again = Services().at(0);
  again.address = Ip("192.0.2.12");
  ASSERT_TRUE(ipvs_->AddService(again, &err_)) << err_;
  IpvsService got;
  ASSERT_TRUE(ipvs_->GetService(again, &got, &err_)) << err_;
  ASSERT_TRUE(ipvs_->DelService(again, &err_)) << err_;
}

TEST_F(IpvsTest, APersistenceEngine) {
  IpvsService s = Service(IPPROTO_UDP, "192.0.2.20", 5060, "rr");
  s.flags = IP_VS_SVC_F_PERSISTENT;
  s.timeout = 360;
  s.pe_name = "sip";
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  EXPECT_EQ(Services().at(0).pe_name, "sip");
  s.pe_name = "";
  ASSERT_TRUE(ipvs_->EditService(s, &err_)) << err_;
  EXPECT_EQ(Services().at(0).pe_name, "");
  s.pe_name = "nope";
  EXPECT_FALSE(ipvs_->EditService(s, &err_));
  EXPECT_NE(err_.find("No such file"), std::string::npos) << err_;
}

TEST_F(IpvsTest, DeletesAServiceAndFlushesTheTable) {
  IpvsService a = Service(IPPROTO_TCP, "192.0.2.30", 80);
  IpvsService b = Service(IPPROTO_TCP, "192.0.2.31", 80);
  IpvsService c = Fwmark(AF_INET, 30);
  for (const auto& s : {a, b, c}) ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(a, Dest("198.51.100.30", 80), &err_)) << err_;
  ASSERT_TRUE(ipvs_->DelService(a, &err_)) << err_;  // with its destination
  auto v = Services();
  EXPECT_EQ(v.size(), 2u);
  EXPECT_FALSE(Find(v, a));
  ASSERT_TRUE(ipvs_->AddDest(b, Dest("198.51.100.31", 80), &err_)) << err_;
  ASSERT_TRUE(ipvs_->Flush(&err_)) << err_;
  EXPECT_TRUE(Services().empty());
}

// Several hundred entries do not fit one read: the dumps continue over several.
TEST_F(IpvsTest, LongDumpsSpanSeveralReads) {
  for (int i = 0; i < 300; ++i) {
    IpvsService s = Service(i % 2 ? IPPROTO_UDP : IPPROTO_TCP, "192.0.2.40", 1000 + i);
    ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  }
  auto v = Services();
  ASSERT_EQ(v.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_TRUE(Find(v, Service(i % 2 ? IPPROTO_UDP : IPPROTO_TCP, "192.0.2.40", 1000 + i))) << i;
  }
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.41", 80);
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  for (int i = 0; i < 250; ++i) {
    IpvsDest d = Dest("198.51.100.1", 0, IP_VS_CONN_F_MASQ, i % 10);
    d.address = d.address.Plus(static_cast<uint64_t>(i));
    d.port = 80;
    ASSERT_TRUE(ipvs_->AddDest(s, d, &err_)) << err_;
  }
  auto d = Dests(s);
  ASSERT_EQ(d.size(), 250u);
  ASSERT_TRUE(Find(d, "198.51.100.250", 80));  // the last one: 198.51.100.1 + 249
  EXPECT_EQ(Find(d, "198.51.100.250", 80)->weight, 249 % 10);
}

TEST_F(IpvsTest, AMixedFamilyPoolOnlyWithTunnels) {
  IpvsService s = Service(IPPROTO_TCP, "2001:db8::20", 80);
  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  EXPECT_FALSE(ipvs_->AddDest(s, Dest("198.51.100.20", 80, IP_VS_CONN_F_MASQ), &err_));
  EXPECT_NE(err_.find("Invalid argument"), std::string::npos) << err_;
  ASSERT_TRUE(ipvs_->AddDest(s, Dest("198.51.100.20", 80, IP_VS_CONN_F_TUNNEL), &err_)) << err_;
  auto d = Dests(s);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].family, AF_INET);
  EXPECT_EQ(d[0].address, Ip("198.51.100.20"));
}

TEST_F(IpvsTest, SyncDaemonsStartListAndStop) {
  IpvsSyncDaemon m;
  m.state = IP_VS_STATE_MASTER;
  m.mcast_ifn = "lo";
  m.syncid = 5;
  m.mcast_group = Ip("239.0.2.81");
  m.mcast_port = 8850;
  m.mcast_ttl = 2;
  m.maxlen = 1400;
  ASSERT_TRUE(ipvs_->StartSyncDaemon(m, &err_)) << err_;
  IpvsSyncDaemon b;
  b.state = IP_VS_STATE_BACKUP;
  b.mcast_ifn = "lo";
  b.syncid = 6;
  ASSERT_TRUE(ipvs_->StartSyncDaemon(b, &err_)) << err_;
  EXPECT_FALSE(ipvs_->StartSyncDaemon(b, &err_));  // one per state
  EXPECT_NE(err_.find("File exists"), std::string::npos) << err_;

  std::vector<IpvsSyncDaemon> v;
  ASSERT_TRUE(ipvs_->ListSyncDaemons(&v, &err_)) << err_;
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].state, IP_VS_STATE_MASTER);
  EXPECT_EQ(v[0].mcast_ifn, "lo");
  EXPECT_EQ(v[0].syncid, 5);
  EXPECT_EQ(v[0].mcast_group, Ip("239.0.2.81"));
  EXPECT_EQ(v[0].mcast_port, 8850);
  EXPECT_EQ(v[0].mcast_ttl, 2);
  EXPECT_EQ(v[0].maxlen, 1400);
  EXPECT_EQ(v[1].state, IP_VS_STATE_BACKUP);
  EXPECT_EQ(v[1].syncid, 6);
  EXPECT_EQ(v[1].mcast_group, Ip("224.0.0.81"));  // the kernel's defaults, reported
  EXPECT_EQ(v[1].mcast_port, 8848);
  if (const char* ipvsadm = std::getenv("VIGIL_IPVSADM")) {
    std::string out = RunCommand(std::string(ipvsadm) + " -L --daemon");
    EXPECT_NE(out.find("master sync daemon (mcast=lo, syncid=5, maxlen=1400, group=239.0.2.81, "
                       "port=8850, ttl=2)"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("backup sync daemon (mcast=lo, syncid=6"), std::string::npos) << out;
  }

  ASSERT_TRUE(ipvs_->StopSyncDaemon(IP_VS_STATE_MASTER, &err_)) << err_;
  ASSERT_TRUE(ipvs_->ListSyncDaemons(&v, &err_)) << err_;
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].state, IP_VS_STATE_BACKUP);
  ASSERT_TRUE(ipvs_->StopSyncDaemon(IP_VS_STATE_BACKUP, &err_)) << err_;
  ASSERT_TRUE(ipvs_->ListSyncDaemons(&v, &err_)) << err_;
  EXPECT_TRUE(v.empty());
  EXPECT_FALSE(ipvs_->StopSyncDaemon(IP_VS_STATE_BACKUP, &err_));
  EXPECT_NE(err_.find("no sync daemon"), std::string::npos) << err_;
  m.mcast_ifn = "nosuchif0";
  EXPECT_FALSE(ipvs_->StartSyncDaemon(m, &err_));
  EXPECT_NE(err_.find("nosuchif0"), std::string::npos) << err_;
}

TEST_F(IpvsTest, ErrorsAreReportedWithWhatWasBeingDone) {
  IpvsService s = Service(IPPROTO_TCP, "192.0.2.50", 80);
  EXPECT_FALSE(ipvs_->DelService(s, &err_));
  EXPECT_NE(err_.find("removing service TCP 192.0.2.50:80: No such process (no such service)"),
            std::string::npos)
      << err_;
  EXPECT_FALSE(ipvs_->EditService(s, &err_));
  EXPECT_NE(err_.find("no such service"), std::string::npos) << err_;
  EXPECT_FALSE(ipvs_->AddDest(s, Dest("198.51.100.50", 80), &err_));
  EXPECT_NE(err_.find("no such service"), std::string::npos) << err_;
  std::vector<IpvsDest> d;
  EXPECT_FALSE(ipvs_->ListDests(s, &d, &err_));  // the kernel's own dump would be empty
  EXPECT_NE(err_.find("no such service"), std::string::npos) << err_;
  IpvsService got;
  EXPECT_FALSE(ipvs_->GetService(s, &got, &err_));

  ASSERT_TRUE(ipvs_->AddService(s, &err_)) << err_;
  EXPECT_FALSE(ipvs_->AddService(s, &err_));
  EXPECT_NE(err_.find("File exists"), std::string::npos) << err_;
  EXPECT_FALSE(ipvs_->DelDest(s, Dest("198.51.100.50", 80), &err_));
  EXPECT_NE(err_.find("No such file or directory (no such destination)"), std::string::npos)
      << err_;
  EXPECT_FALSE(ipvs_->EditDest(s, Dest("198.51.100.50", 80), &err_));
  EXPECT_NE(err_.find("no such destination"), std::string::npos) << err_;
  ASSERT_TRUE(ipvs_->AddDest(s, Dest("198.51.100.50", 80), &err_)) << err_;
  EXPECT_FALSE(ipvs_->AddDest(s, Dest("198.51.100.50", 80), &err_));
  EXPECT_NE(err_.find("File exists"), std::string::npos) << err_;

  IpvsService bad = Service(IPPROTO_TCP, "192.0.2.51", 80, "nosuchsched");
  EXPECT_FALSE(ipvs_->AddService(bad, &err_));
  EXPECT_NE(err_.find("no such scheduler"), std::string::npos) << err_;
  // Caught before the kernel sees them.
  bad = Service(IPPROTO_TCP, "192.0.2.51", 80);
  bad.family = AF_INET6;
  EXPECT_FALSE(ipvs_->AddService(bad, &err_));
  EXPECT_NE(err_.find("other family"), std::string::npos) << err_;
  IpvsDest neg = Dest("198.51.100.51", 80, IP_VS_CONN_F_MASQ, -1);
  EXPECT_FALSE(ipvs_->AddDest(s, neg, &err_));
  EXPECT_NE(err_.find("negative weight"), std::string::npos) << err_;
  // The socket is still in step after all of that.
  EXPECT_EQ(Services().size(), 1u);
  EXPECT_EQ(Dests(s).size(), 1u);
}

// ipvsadm reads the table on its own; what it prints is what was meant.
TEST_F(IpvsTest, IpvsadmSeesWhatWasProgrammed) {
  const char* ipvsadm = std::getenv("VIGIL_IPVSADM");
  if (!ipvsadm) GTEST_SKIP() << "VIGIL_IPVSADM is not set";
  IpvsService web = Service(IPPROTO_TCP, "192.0.2.10", 80, "wrr");
  web.flags = IP_VS_SVC_F_PERSISTENT;
  web.timeout = 300;
  ASSERT_TRUE(ipvs_->AddService(web, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(web, Dest("198.51.100.1", 80, IP_VS_CONN_F_MASQ, 1), &err_));
  ASSERT_TRUE(ipvs_->AddDest(web, Dest("198.51.100.2", 80, IP_VS_CONN_F_MASQ, 2), &err_));
  ASSERT_TRUE(ipvs_->AddDest(web, Dest("198.51.100.4", 80, IP_VS_CONN_F_DROUTE, 4), &err_));
  ASSERT_TRUE(ipvs_->AddDest(web, Dest("203.0.113.5", 80, IP_VS_CONN_F_TUNNEL, 5), &err_));
  IpvsService dns = Service(IPPROTO_UDP, "192.0.2.53", 53, "sh");
  dns.flags = IP_VS_SVC_F_ONEPACKET | IP_VS_SVC_F_SCHED_SH_PORT;
  ASSERT_TRUE(ipvs_->AddService(dns, &err_)) << err_;
  IpvsService sticky = Service(IPPROTO_TCP, "192.0.2.60", 443, "rr");
  sticky.flags = IP_VS_SVC_F_PERSISTENT;
  sticky.timeout = 60;
  sticky.netmask = Mask(24);
  ASSERT_TRUE(ipvs_->AddService(sticky, &err_)) << err_;
  IpvsService v6 = Service(IPPROTO_TCP, "2001:db8::10", 443, "wlc");
  ASSERT_TRUE(ipvs_->AddService(v6, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(v6, Dest("2001:db8:1::1", 443, IP_VS_CONN_F_MASQ, 3), &err_));
  IpvsService fwm = Fwmark(AF_INET, 7, "rr");
  ASSERT_TRUE(ipvs_->AddService(fwm, &err_)) << err_;
  ASSERT_TRUE(ipvs_->AddDest(fwm, Dest("198.51.100.7", 0, IP_VS_CONN_F_DROUTE, 1), &err_));

  std::string out = RunCommand(std::string(ipvsadm) + " -Ln");
  for (const char* line : {
           "TCP 192.0.2.10:80 wrr persistent 300",
           "-> 198.51.100.1:80 Masq 1 0 0",
           "-> 198.51.100.2:80 Masq 2 0 0",
           "-> 198.51.100.4:80 Route 4 0 0",
           "-> 203.0.113.5:80 Tunnel 5 0 0",
           "UDP 192.0.2.53:53 sh (sh-port) ops",
           "TCP 192.0.2.60:443 rr persistent 60 mask 255.255.255.0",
           "TCP [2001:db8::10]:443 wlc",
           "-> [2001:db8:1::1]:443 Masq 3 0 0",
           "FWM 7 rr",
           "-> 198.51.100.7:0 Route 1 0 0",
       }) {
    EXPECT_TRUE(HasLine(out, line)) << "no line \"" << line << "\" in:\n" << out;
  }
}

TEST_F(IpvsTest, TimeoutsAreSetReadBackAndZeroLeavesOneAlone) {
  IpvsTimeouts before;
  ASSERT_TRUE(ipvs_->GetTimeouts(&before, &err_)) << err_;
  EXPECT_GT(before.tcp, 0u);
  ASSERT_TRUE(ipvs_->SetTimeouts(IpvsTimeouts{901, 0, 301}, &err_)) << err_;
  IpvsTimeouts after;
  ASSERT_TRUE(ipvs_->GetTimeouts(&after, &err_)) << err_;
  EXPECT_EQ(after.tcp, 901u);
  EXPECT_EQ(after.tcp_fin, before.tcp_fin) << "0 leaves tcpfin as it was";
  EXPECT_EQ(after.udp, 301u);
  if (const char* ipvsadm = std::getenv("VIGIL_IPVSADM")) {
    std::string out = RunCommand(std::string(ipvsadm) + " -L --timeout");
    EXPECT_NE(out.find("901 " + std::to_string(before.tcp_fin) + " 301"), std::string::npos) << out;
  }
  ASSERT_TRUE(ipvs_->SetTimeouts(before, &err_)) << err_;
}

}  // namespace
}  // namespace vigil::os
