// VRRP router scenarios on a FakeLan with a simulated clock. Each test is named after the RFC
// section whose wire-observable rule it checks (see docs/CONFORMANCE.md).
#include <gtest/gtest.h>

#include "fakes/fake_lan.h"
#include "vrrp/router.h"

namespace vigil::vrrp {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeLan;

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

RouterConfig Conf(const char* primary, int priority, int version = 3,
                  Duration interval = seconds(1)) {
  RouterConfig c;
  c.name = "VI_1";
  c.vrid = 51;
  c.version = static_cast<uint8_t>(version);
  c.priority = static_cast<uint8_t>(priority);
  c.advertisement_interval = interval;
  c.primary_address = Ip(primary);
  c.vips = {Ip("192.0.2.100")};
  return c;
}

TimePoint At(Duration d) { return TimePoint{} + d; }

// Two routers, priorities 150 (first) and 100, started together and run for 10 s: the first
// is Master from then on.
std::pair<int, int> ConvergedPair(FakeLan& lan) {
  int a = lan.Add(Conf("192.0.2.1", 150));
  int b = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(a);
  lan.Start(b);
  lan.RunFor(seconds(10));
  return {a, b};
}

TEST(Rfc5798_6_1, SkewTimeAndMasterDownInterval) {
  Router v3(Conf("192.0.2.1", 100, 3, seconds(1)));
  EXPECT_EQ(v3.skew_time(), microseconds(609375));  // (256-100)/256 s
  EXPECT_EQ(v3.master_down_interval(), microseconds(3609375));
  Router v3slow(Conf("192.0.2.1", 200, 3, seconds(2)));
  EXPECT_EQ(v3slow.skew_time(), microseconds(437500));  // (256-200)*2/256 s
  // RFC 3768 §6.1: the VRRPv2 skew does not scale with the interval.
  Router v2(Conf("192.0.2.1", 200, 2, seconds(2)));
  EXPECT_EQ(v2.skew_time(), microseconds(218750));  // (256-200)/256 s
  EXPECT_EQ(v2.master_down_interval(), microseconds(6218750));
}

TEST(Rfc5798_6_4_1, AddressOwnerBecomesMasterAtStartup) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 255));
  lan.Start(a);
  EXPECT_EQ(lan.state(a), State::kMaster);
  EXPECT_EQ(lan.LastEntered(a, State::kMaster), At(Duration{0}));
  EXPECT_TRUE(lan.node(a).holds_vips);
}

TEST(Rfc5798_6_4_1, BackupBecomesMasterAfterMasterDownInterval) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 100));
  lan.Start(a);
  EXPECT_EQ(lan.state(a), State::kBackup);
  lan.RunUntil(At(microseconds(3609374)));
  EXPECT_EQ(lan.state(a), State::kBackup);
  lan.RunUntil(At(microseconds(3609375)));
  EXPECT_EQ(lan.state(a), State::kMaster);
  EXPECT_EQ(lan.router(a).stats().become_master, 1u);
}

TEST(Rfc5798_6_4_2, HigherPriorityWinsTheElection) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.state(b), State::kBackup);
  EXPECT_EQ(lan.VipHolders(), 1);
  EXPECT_EQ(lan.router(b).stats().become_master, 0u);
  EXPECT_GE(lan.router(b).stats().advert_rcvd, 6u);
}

TEST(Rfc5798_6_4_3, EqualPriorityTieBrokenByHigherPrimaryAddress) {
  FakeLan lan;
  int low = lan.Add(Conf("192.0.2.1", 100));
  int high = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(low);
  lan.Start(high);
  lan.RunFor(seconds(10));
  EXPECT_EQ(lan.Masters(), std::vector<int>{high});
  EXPECT_EQ(lan.VipHolders(), 1);
}

TEST(Rfc5798_6_4_3, PriorityZeroOnShutdownGivesTakeoverAfterSkewTime) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  ASSERT_EQ(lan.Masters(), std::vector<int>{a});
  TimePoint stop = lan.now();
  lan.Stop(a);
  EXPECT_EQ(lan.router(a).stats().pri_zero_sent, 1u);
  EXPECT_FALSE(lan.node(a).holds_vips);
  lan.RunFor(seconds(1));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  EXPECT_EQ(lan.router(b).stats().pri_zero_rcvd, 1u);
  // Skew_Time for priority 100 is 0.609 s, far below the 3.6 s Master_Down_Interval.
  EXPECT_EQ(lan.LastEntered(b, State::kMaster) - stop, lan.latency + lan.router(b).skew_time());
}

TEST(Rfc5798_6_4_2, MasterKilledWithoutWordIsReplacedAfterMasterDownInterval) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  lan.Kill(a);
  lan.RunFor(seconds(3));
  EXPECT_EQ(lan.state(b), State::kBackup);  // not before Master_Down_Interval
  lan.RunFor(seconds(1));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  EXPECT_EQ(lan.VipHolders(), 1);
}

// A restarted VRRP process that finds its addresses in place resumes as Master at once: a
// restart quicker than Master_Down_Interval moves nothing, and the Backup never notices.
TEST(VigilResume, QuickRestartOfTheMasterMovesNothing) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  size_t b_transitions = lan.Transitions(b);
  lan.CrashAndResume(a, seconds(2));  // below b's 3.6 s Master_Down_Interval
  EXPECT_EQ(lan.state(a), State::kMaster);
  lan.RunFor(seconds(10));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.Transitions(b), b_transitions);
  EXPECT_EQ(lan.VipHolders(), 1);
}

// Too slow: the Backup took over; the resumed higher-priority router is Master again (it would
// have preempted as a Backup too) and the other steps down at its first advert.
TEST(VigilResume, SlowRestartAfterATakeoverEndsWithOneMaster) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  lan.CrashAndResume(a, seconds(5));
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.state(b), State::kBackup);
}

// A lower-priority router that resumes while a higher one is Master yields at once.
TEST(VigilResume, LowerPriorityResumedMasterYieldsToTheMaster) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150));
  int b = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(b);
  lan.RunFor(seconds(5));
  ASSERT_EQ(lan.Masters(), std::vector<int>{b});
  lan.Start(a);
  lan.CrashAndResume(b, milliseconds(10));  // b's addresses were still set: it resumes
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.state(b), State::kBackup);
  EXPECT_EQ(lan.VipHolders(), 1);
}

// A reload's new router takes the counters and AH sequence number of the one it replaces.
TEST(VigilReload, RestoredCountersAndSequenceCarryOn) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  Stats before = lan.router(a).stats();
  ASSERT_EQ(before.become_master, 1u);
  Router next(lan.router(a).config());
  std::vector<Output> out;
  next.Step(Startup{true}, lan.now(), out);
  EXPECT_EQ(next.state(), State::kMaster);
  next.Restore(before, 4711);
  EXPECT_EQ(next.stats(), before);
  EXPECT_EQ(next.ah_sequence(), 4711u);
}

// Without its addresses (they were taken away meanwhile) it starts as any Backup does.
TEST(VigilResume, WithoutItsAddressesItStartsAsBackup) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150));
  lan.Start(a);
  lan.CrashAndResume(a, seconds(1));
  EXPECT_EQ(lan.state(a), State::kBackup);
}

TEST(Rfc5798_6_4_2, HigherPriorityRouterPreemptsWhenItStarts) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150));
  int b = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(b);
  lan.RunFor(seconds(5));
  ASSERT_EQ(lan.Masters(), std::vector<int>{b});
  lan.Start(a);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.router(b).stats().release_master, 1u);
  EXPECT_EQ(lan.VipHolders(), 1);
}

TEST(Rfc5798_6_4_2, NopreemptLeavesTheLowerPriorityMasterInPlace) {
  FakeLan lan;
  RouterConfig ca = Conf("192.0.2.1", 150);
  ca.preempt = false;
  int a = lan.Add(ca);
  int b = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(b);
  lan.RunFor(seconds(5));
  lan.Start(a);
  lan.RunFor(seconds(30));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  EXPECT_EQ(lan.state(a), State::kBackup);
}

TEST(KeepalivedPreemptDelay, LowerPriorityMasterToleratedUntilTheDelayEnds) {
  FakeLan lan;
  RouterConfig ca = Conf("192.0.2.1", 150);
  ca.preempt_delay = seconds(5);
  int a = lan.Add(ca);
  int b = lan.Add(Conf("192.0.2.2", 100));
  lan.Start(b);
  lan.RunFor(seconds(5));
  TimePoint start = lan.now();
  lan.Start(a);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});  // would have preempted at 3.4 s without it
  lan.RunFor(seconds(2));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  Duration took = lan.LastEntered(a, State::kMaster) - start;
  EXPECT_GT(took, seconds(5));
  EXPECT_LT(took, seconds(7));
}

TEST(Rfc5798_6_4_2, BackupLearnsMasterAdverInterval) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150, 3, seconds(2)));
  int b = lan.Add(Conf("192.0.2.2", 100, 3, seconds(1)));
  lan.Start(a);
  lan.Start(b);
  lan.RunFor(seconds(20));
  ASSERT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.router(b).master_adver_interval(), seconds(2));
  // 3 * 2 s + (256 - 100) * 2 s / 256
  EXPECT_EQ(lan.router(b).master_down_interval(), microseconds(7218750));
}

TEST(Rfc3768_7_1, V2AdvertWithAnotherIntervalIsDiscarded) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150, 2, seconds(2)));
  int b = lan.Add(Conf("192.0.2.2", 100, 2, seconds(1)));
  lan.Start(a);
  lan.Start(b);
  lan.RunFor(seconds(10));
  EXPECT_GT(lan.router(b).stats().advert_interval_err, 0u);
  EXPECT_EQ(lan.state(b), State::kMaster);  // misconfiguration: two masters, as in keepalived
}

TEST(Rfc9568_6_4_3, SplitBrainHealsToOneMasterAndTheLowerStepsDown) {
  FakeLan lan;
  int a = lan.Add(Conf("192.0.2.1", 150));
  int b = lan.Add(Conf("192.0.2.2", 120));
  int c = lan.Add(Conf("192.0.2.3", 100));
  for (int i : {a, b, c}) lan.Start(i);
  lan.RunFor(seconds(10));
  ASSERT_EQ(lan.Masters(), std::vector<int>{a});
  // Partition: {a} | {b, c}. b becomes master of its side.
  lan.Partition(a, 1);
  lan.RunFor(seconds(10));
  EXPECT_EQ(lan.Masters(), (std::vector<int>{a, b}));
  EXPECT_EQ(lan.VipHolders(), 2);
  uint64_t a_sent = lan.router(a).stats().advert_sent;
  lan.Heal();
  lan.RunFor(milliseconds(1500));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.VipHolders(), 1);
  // a answered b's lower-priority advert at once, on top of its once-a-second adverts.
  EXPECT_GE(lan.router(a).stats().advert_sent - a_sent, 2u);
  EXPECT_EQ(lan.state(c), State::kBackup);
}

TEST(Rfc9568_6_4_3, LowerPrioNoAdvertSuppressesTheImmediateAnswer) {
  FakeLan lan;
  RouterConfig ca = Conf("192.0.2.1", 150);
  ca.lower_prio_no_advert = true;
  int a = lan.Add(ca);
  int b = lan.Add(Conf("192.0.2.2", 120));
  lan.Start(a);
  lan.Start(b);
  lan.Partition(a, 1);
  lan.RunFor(seconds(10));
  ASSERT_EQ(lan.Masters(), (std::vector<int>{a, b}));
  uint64_t before = lan.router(a).stats().advert_sent;
  lan.Heal();
  lan.RunFor(milliseconds(999));
  EXPECT_LE(lan.router(a).stats().advert_sent - before, 1u);
  lan.RunFor(seconds(2));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
}

TEST(KeepalivedFault, LinkDownIsFaultAndLinkUpRejoinsTheElection) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  lan.SetLink(a, false);
  EXPECT_EQ(lan.state(a), State::kFault);
  EXPECT_FALSE(lan.node(a).holds_vips);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  lan.SetLink(a, true);
  EXPECT_EQ(lan.state(a), State::kBackup);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});  // it has the higher priority and preempts
  EXPECT_EQ(lan.VipHolders(), 1);
}

TEST(Rfc5798_6_4_3, MasterWhosePriorityDropsIsPreempted) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  lan.SetPriority(a, 50);  // e.g. a tracked script failed with weight -100
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  lan.SetPriority(a, 150);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
}

TEST(Rfc5798_6_4_2, LossOfEveryOtherAdvertDoesNotFlap) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  ASSERT_EQ(lan.Masters(), std::vector<int>{a});
  size_t transitions = lan.Transitions(b);
  int sent = 0;
  lan.deliver = [&](int from, int) { return from != a || (++sent % 2) == 0; };
  lan.RunFor(seconds(60));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.Transitions(b), transitions);
  // Losing two in a row is one short of the three Master_Down_Interval allows: still fine.
  sent = 0;
  lan.deliver = [&](int from, int) { return from != a || (++sent % 3) == 0; };
  lan.RunFor(seconds(60));
  EXPECT_EQ(lan.Transitions(b), transitions);
}

TEST(Rfc5798_6_4_2, ReorderedAdvertsDoNotFlap) {
  FakeLan lan;
  auto [a, b] = ConvergedPair(lan);
  ASSERT_EQ(lan.Masters(), std::vector<int>{a});
  size_t transitions = lan.Transitions(b);
  // Up to 1.9 s of extra delay, varying per packet, so adverts overtake one another.
  uint32_t x = 12345;
  lan.jitter = [&](int, int) {
    x = x * 1103515245u + 12345u;
    return Duration(milliseconds((x >> 16) % 1900));
  };
  lan.RunFor(seconds(120));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_EQ(lan.Transitions(b), transitions);
}

// A VRRPv2 advert from the priority-150 Master of VRID 51 (one VIP, advert_int 1).
Advertisement V2Advert(AuthType auth) {
  Advertisement a;
  a.version = 2;
  a.vrid = 51;
  a.priority = 150;
  a.adver_int = 1;
  a.addresses = {Ip("192.0.2.100")};
  a.auth_type = auth;
  return a;
}

TEST(Rfc5798_7_1, ReceiveChecksCountAndDrop) {
  RouterConfig c = Conf("192.0.2.2", 100, 2);
  c.auth_type = AuthType::kPass;
  c.auth_data = {'s', 'e', 'c', 'r', 'e', 't', 0, 0};
  Router r(c);
  std::vector<Output> out;
  r.Step(Startup{}, TimePoint{}, out);
  Advertisement a = V2Advert(AuthType::kPass);
  a.auth_data = c.auth_data;
  RxMeta meta{Ip("192.0.2.1"), Ip("224.0.0.18"), 255};
  auto rx = [&](Advertisement adv, int ttl = 255) {
    RxMeta m = meta;
    m.ttl = ttl;
    out.clear();
    r.Step(AdvertReceived{adv, m}, TimePoint{} + seconds(1), out);
  };
  rx(a, 254);
  EXPECT_EQ(r.stats().ip_ttl_err, 1u);
  auto wrong_pass = a;
  wrong_pass.auth_data[0] = 'S';
  rx(wrong_pass);
  EXPECT_EQ(r.stats().auth_failure, 1u);
  auto no_auth = a;
  no_auth.auth_type = AuthType::kNone;
  rx(no_auth);
  EXPECT_EQ(r.stats().authtype_mismatch, 1u);
  auto bad_auth = a;
  bad_auth.auth_type = static_cast<AuthType>(7);
  rx(bad_auth);
  EXPECT_EQ(r.stats().invalid_authtype, 1u);
  auto other_vips = a;
  other_vips.addresses = {Ip("192.0.2.200")};
  rx(other_vips);
  EXPECT_EQ(r.stats().addr_list_err, 1u);  // counted, still accepted (RFC: SHOULD log)
  EXPECT_EQ(r.stats().advert_rcvd, 1u);
  rx(a);
  EXPECT_EQ(r.stats().advert_rcvd, 2u);
  EXPECT_EQ(r.state(), State::kBackup);
}

// keepalived's skip_check_adv_addr: the address list is compared for the first advert from
// a source, and again only when the source changes.
TEST(KeepalivedSkipCheckAdvAddr, ComparesOnlyWhenTheSourceChanges) {
  for (bool skip : {false, true}) {
    RouterConfig c = Conf("192.0.2.2", 100, 2);
    c.skip_check_adv_addr = skip;
    Router r(c);
    std::vector<Output> out;
    r.Step(Startup{}, TimePoint{}, out);
    Advertisement a = V2Advert(AuthType::kNone);
    a.addresses = {Ip("192.0.2.200")};  // not ours
    auto rx = [&](const char* from) {
      out.clear();
      r.Step(AdvertReceived{a, RxMeta{Ip(from), Ip("224.0.0.18"), 255}}, TimePoint{} + seconds(1),
             out);
    };
    rx("192.0.2.1");
    rx("192.0.2.1");
    rx("192.0.2.1");
    EXPECT_EQ(r.stats().addr_list_err, skip ? 1u : 3u) << "skip " << skip;
    rx("192.0.2.3");  // another source: compared again
    EXPECT_EQ(r.stats().addr_list_err, skip ? 2u : 4u) << "skip " << skip;
    EXPECT_EQ(r.stats().advert_rcvd, 4u);
  }
}

// A router made Master on its own (Master_Down_Timer expired), its outputs cleared.
Router MasterAlone(RouterConfig c, std::vector<Output>& out) {
  Router r(std::move(c));
  r.Step(Startup{}, TimePoint{}, out);
  r.Step(TimerFired{Timer::kMasterDown}, TimePoint{} + seconds(4), out);
  EXPECT_EQ(r.state(), State::kMaster);
  out.clear();
  return r;
}

AdvertReceived AdvertFrom(const char* source, int priority) {
  Advertisement a;
  a.version = 3;
  a.vrid = 51;
  a.priority = static_cast<uint8_t>(priority);
  a.adver_int = 100;
  a.addresses = {Ip("192.0.2.100")};
  return AdvertReceived{a, RxMeta{Ip(source), Ip("224.0.0.18"), 255}};
}

template <typename T>
std::vector<T> OutputsOf(const std::vector<Output>& out) {
  std::vector<T> v;
  for (const auto& o : out) {
    if (auto* t = std::get_if<T>(&o)) v.push_back(*t);
  }
  return v;
}

TEST(KeepalivedUnicastPeer, AdvertsOutsideMinTtlMaxTtlAreDropped) {
  RouterConfig c = Conf("192.0.2.2", 100);
  c.check_ttl = false;  // unicast
  c.peer_ttl = {{Ip("192.0.2.1"), 250, 254}};
  Router r(c);
  std::vector<Output> out;
  r.Step(Startup{}, TimePoint{}, out);
  auto rx = [&](const char* src, int ttl) {
    AdvertReceived a = AdvertFrom(src, 150);
    a.meta.ttl = ttl;
    r.Step(a, TimePoint{} + seconds(1), out);
  };
  rx("192.0.2.1", 249);
  rx("192.0.2.1", 255);
  EXPECT_EQ(r.stats().ip_ttl_err, 2u);
  EXPECT_EQ(r.stats().advert_rcvd, 0u);
  rx("192.0.2.1", 250);
  rx("192.0.2.3", 64);  // another peer, no limits
  EXPECT_EQ(r.stats().advert_rcvd, 2u);
}

TEST(KeepalivedHigherPrioSendAdvert, YieldingMasterAdvertisesOnceFirst) {
  for (bool option : {false, true}) {
    RouterConfig c = Conf("192.0.2.2", 120);
    c.higher_prio_send_advert = option;
    std::vector<Output> out;
    Router r = MasterAlone(c, out);
    r.Step(AdvertFrom("192.0.2.1", 150), TimePoint{} + seconds(5), out);
    EXPECT_EQ(r.state(), State::kBackup);
    auto sent = OutputsOf<SendAdvert>(out);
    ASSERT_EQ(sent.size(), option ? 1u : 0u);
    if (option) {
      EXPECT_EQ(sent[0].advert.priority, 120);
    }
  }
}

TEST(KeepalivedGarpLowerPrio, MasterHearingALowerPriorityAnnouncesItsAddressesAgain) {
  RouterConfig c = Conf("192.0.2.1", 150);
  c.garp_master_repeat = 3;
  c.garp_master_delay = seconds(2);
  c.garp_lower_prio_repeat = 1;
  c.garp_lower_prio_delay = seconds(0);
  std::vector<Output> out;
  Router r(c);
  r.Step(Startup{}, TimePoint{}, out);
  r.Step(TimerFired{Timer::kMasterDown}, TimePoint{} + seconds(4), out);
  EXPECT_EQ(OutputsOf<AnnounceVips>(out), (std::vector<AnnounceVips>{{3, seconds(2)}}));
  out.clear();
  r.Step(AdvertFrom("192.0.2.2", 100), TimePoint{} + seconds(5), out);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(OutputsOf<AnnounceVips>(out), (std::vector<AnnounceVips>{{1, seconds(0)}}));
  // keepalived's notify_master_rx_lower_pri hears of it too.
  auto heard = OutputsOf<LowerPriorityHeard>(out);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0].priority, 100);
  c.garp_lower_prio_repeat = 0;  // keepalived: 0 turns it off
  Router quiet = MasterAlone(c, out);
  quiet.Step(AdvertFrom("192.0.2.2", 100), TimePoint{} + seconds(5), out);
  EXPECT_TRUE(OutputsOf<AnnounceVips>(out).empty());
}

TEST(RouterConfigFrom, TakesTheInstanceSettings) {
  model::VrrpInstanceConf c;
  c.name = "VI_X";
  c.vrid = 7;
  c.version = 2;
  c.priority = 120;
  c.advert_int = seconds(2);
  c.nopreempt = true;
  c.auth_type = model::AuthType::kPass;
  c.auth_pass = "pw";
  model::IpAddressConf vip;
  vip.address = *base::Prefix::Parse("192.0.2.7/24");
  c.vips.push_back(vip);
  auto r = RouterConfig::From(c, model::GlobalDefs{}, Ip("192.0.2.1"));
  EXPECT_EQ(r.vrid, 7);
  EXPECT_EQ(r.version, 2);
  EXPECT_EQ(r.priority, 120);
  EXPECT_FALSE(r.preempt);
  EXPECT_EQ(r.auth_type, AuthType::kPass);
  EXPECT_EQ(r.auth_data[0], 'p');
  EXPECT_EQ(r.auth_data[2], 0);
  ASSERT_EQ(r.vips.size(), 1u);
  EXPECT_EQ(r.vips[0].ToString(), "192.0.2.7");
}

// keepalived's vrrp_min_garp: one announcement, no second burst, unless set explicitly;
// strict mode resets preempt_delay and authentication.
TEST(RouterConfigFrom, MinGarpAndStrictMode) {
  model::VrrpInstanceConf c;
  c.vrid = 7;
  c.version = 2;
  c.preempt_delay = seconds(10);
  c.auth_type = model::AuthType::kPass;
  c.auth_pass = "pw";
  model::GlobalDefs g;
  auto plain = RouterConfig::From(c, g, Ip("192.0.2.1"));
  EXPECT_EQ(plain.garp_master_repeat, model::defaults::kGarpMasterRepeat);
  EXPECT_EQ(plain.garp_master_delay, model::defaults::kGarpMasterDelay);
  EXPECT_EQ(plain.preempt_delay, seconds(10));
  g.extra = {{"vrrp_min_garp"}};
  auto min = RouterConfig::From(c, g, Ip("192.0.2.1"));
  EXPECT_EQ(min.garp_master_repeat, 1);
  EXPECT_EQ(min.garp_master_delay, Duration{0});
  EXPECT_EQ(min.garp_lower_prio_repeat, 1);  // follows the master value
  g.vrrp_garp_master_repeat = 3;
  EXPECT_EQ(RouterConfig::From(c, g, Ip("192.0.2.1")).garp_master_repeat, 3);
  g.vrrp_strict = true;
  auto strict = RouterConfig::From(c, g, Ip("192.0.2.1"));
  EXPECT_TRUE(strict.strict);
  EXPECT_EQ(strict.preempt_delay, Duration{0});
  EXPECT_EQ(strict.auth_type, AuthType::kNone);
}

RouterConfig AhConf(const char* primary, int priority, uint8_t key_last = '2') {
  RouterConfig c = Conf(primary, priority, 2);
  c.auth_type = AuthType::kAh;
  c.auth_data = {'s', 'e', 'c', 'r', 'e', 't', key_last, 0};
  return c;
}

// RFC 2402 §3.4.3 as keepalived applies it: an AH sequence number must exceed the highest
// seen; an advert without AH is an authtype_mismatch; a Master continues above what it saw.
TEST(Rfc2338_5_3_6_3, AhSequenceNumbersGuardAgainstReplay) {
  Router r(AhConf("192.0.2.2", 100));
  std::vector<Output> out;
  r.Step(Startup{}, TimePoint{}, out);
  Advertisement a = V2Advert(AuthType::kAh);
  RxMeta meta{Ip("192.0.2.1"), Ip("224.0.0.18"), 255};
  auto rx = [&](std::optional<uint32_t> seq) {
    out.clear();
    r.Step(AdvertReceived{a, meta, seq}, TimePoint{} + seconds(1), out);
  };
  rx(5);
  EXPECT_EQ(r.stats().advert_rcvd, 1u);
  rx(5);
  rx(4);
  EXPECT_EQ(r.stats().ah_replay, 2u);
  EXPECT_EQ(r.stats().auth_failure, 2u);
  EXPECT_EQ(r.stats().advert_rcvd, 1u);
  rx(std::nullopt);
  EXPECT_EQ(r.stats().authtype_mismatch, 1u);
  rx(6);
  EXPECT_EQ(r.stats().advert_rcvd, 2u);
  EXPECT_EQ(r.ah_sequence(), 6u);
  // The Master goes silent: this router takes over and numbers its adverts from 7.
  out.clear();
  r.Step(TimerFired{Timer::kMasterDown}, TimePoint{} + seconds(5), out);
  ASSERT_EQ(r.state(), State::kMaster);
  auto sent = OutputsOf<SendAdvert>(out);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].ah_sequence, 7u);
  EXPECT_EQ(sent[0].advert.auth_type, AuthType::kAh);
}

// On a fake LAN carrying whole AH datagrams: two routers elect, the Master is killed and
// restarted with its sequence number back at zero; it learns the survivor's number, preempts
// above it, and the pair ends with one Master. A third router with another key is never
// heard (auth_failure) and so stands alone.
TEST(Rfc2338_5_3_6_3, AhRoutersSurviveARestartAndIgnoreAWrongKey) {
  FakeLan lan;
  int a = lan.Add(AhConf("192.0.2.1", 150));
  int b = lan.Add(AhConf("192.0.2.2", 100));
  lan.Start(a);
  lan.Start(b);
  lan.RunFor(seconds(10));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  lan.Kill(a);
  lan.RunFor(seconds(5));
  EXPECT_EQ(lan.Masters(), std::vector<int>{b});
  uint32_t survivor = lan.router(b).ah_sequence();
  EXPECT_GT(survivor, 0u);
  lan.Restart(a);
  lan.RunFor(seconds(10));
  EXPECT_EQ(lan.Masters(), std::vector<int>{a});
  EXPECT_GT(lan.router(a).ah_sequence(), survivor);
  EXPECT_EQ(lan.router(b).state(), State::kBackup);
  EXPECT_EQ(lan.router(b).stats().auth_failure, 0u);
  EXPECT_EQ(lan.VipHolders(), 1);

  int c = lan.Add(AhConf("192.0.2.3", 200, '9'));
  lan.Start(c);
  lan.RunFor(seconds(10));
  EXPECT_GT(lan.router(a).stats().auth_failure, 0u);
  EXPECT_GT(lan.router(c).stats().auth_failure, 0u);
  EXPECT_EQ(lan.router(c).state(), State::kMaster);
  EXPECT_EQ(lan.router(a).state(), State::kMaster);  // it never heard c's priority 200
}

// keepalived's vrrp_sync_group: a Backup follows a member that became Master; a Master
// follows a member that went back to Backup (and waits for the peer's adverts again).
TEST(KeepalivedSyncGroup, MembersFollowEachOther) {
  std::vector<Output> out;
  Router r(Conf("192.0.2.2", 100));
  r.Step(Startup{}, TimePoint{}, out);
  ASSERT_EQ(r.state(), State::kBackup);
  out.clear();
  r.Step(SyncGroupMoved{State::kMaster}, At(seconds(1)), out);
  EXPECT_EQ(r.state(), State::kMaster);
  EXPECT_EQ(OutputsOf<InstallVips>(out).size(), 1u);
  EXPECT_EQ(OutputsOf<SendAdvert>(out).size(), 1u);
  out.clear();
  r.Step(SyncGroupMoved{State::kBackup}, At(seconds(2)), out);
  EXPECT_EQ(r.state(), State::kBackup);
  EXPECT_EQ(OutputsOf<RemoveVips>(out).size(), 1u);
  auto armed = OutputsOf<ArmTimer>(out);
  ASSERT_EQ(armed.size(), 1u);
  EXPECT_EQ(armed[0].timer, Timer::kMasterDown);
  EXPECT_EQ(armed[0].deadline, At(seconds(2)) + r.master_down_interval());
  // A FAULT member ignores both (FAULT is shared through LinkChanged).
  out.clear();
  r.Step(LinkChanged{false, true}, At(seconds(3)), out);
  ASSERT_EQ(r.state(), State::kFault);
  EXPECT_EQ(OutputsOf<StateChanged>(out)[0].reason, "tracked object failed");
  r.Step(SyncGroupMoved{State::kMaster}, At(seconds(4)), out);
  EXPECT_EQ(r.state(), State::kFault);
}

}  // namespace
}  // namespace vigil::vrrp
