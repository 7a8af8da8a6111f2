// keepalived's checker schedule and verdict (keepalived.conf(5): retry, delay_before_retry,
// delay_loop, warmup, alpha) as check::Verdict and check::ResolveTiming apply them.
#include <gtest/gtest.h>

#include "check/verdict.h"

namespace vigil::check {
namespace {

using std::chrono::seconds;

TimePoint At(int s) { return TimePoint{} + seconds(s); }

Timing T(int retry, bool alpha = false) {
  Timing t;
  t.delay_loop = seconds(10);
  t.delay_before_retry = seconds(2);
  t.retry = retry;
  t.alpha = alpha;
  return t;
}

TEST(KeepalivedChecker, UpServerGoesDownAfterItsRetriesFail) {
  Verdict v(T(2), At(0));
  EXPECT_TRUE(v.up());
  EXPECT_EQ(v.next_check(), At(0));
  auto r = v.Record(false, At(0));  // first failure: retry 1 of 2
  EXPECT_FALSE(r.changed);
  EXPECT_TRUE(v.up());
  EXPECT_EQ(v.next_check(), At(2));  // delay_before_retry
  r = v.Record(false, At(2));        // retry 2 of 2
  EXPECT_TRUE(v.up());
  EXPECT_EQ(v.next_check(), At(4));
  r = v.Record(false, At(4));  // the last retry failed too
  EXPECT_TRUE(r.changed);
  EXPECT_FALSE(v.up());
  EXPECT_EQ(r.reason, "check failed after 2 retries");
  EXPECT_EQ(v.next_check(), At(14));  // down: delay_loop
  EXPECT_EQ(v.failures(), 3u);
}

// A reload: the same checker under the new configuration goes on where the old one was.
TEST(VigilReload, AnInheritedVerdictKeepsStateCountersAndSchedule) {
  Verdict old(T(2), At(0));
  old.Record(false, At(0));
  old.Record(false, At(2));
  old.Record(false, At(4));  // down, next check at 14
  ASSERT_FALSE(old.up());
  Timing t = T(1);  // the new configuration has retry 1
  Verdict v(t, At(5));
  v.Inherit(old);
  EXPECT_FALSE(v.up());
  EXPECT_EQ(v.next_check(), At(14));
  EXPECT_EQ(v.checks(), 3u);
  EXPECT_EQ(v.failures(), 3u);
  EXPECT_TRUE(v.Record(true, At(14)).changed);  // a down server comes up on one success
  EXPECT_EQ(v.next_check(), At(24));
  // And an up one with retries left keeps at most the new configuration's retries.
  Verdict up_old(T(3), At(0));
  up_old.Record(false, At(0));  // 2 of 3 retries left
  Verdict w(t, At(0));
  w.Inherit(up_old);
  EXPECT_TRUE(w.up());
  EXPECT_EQ(w.retries_left(), 1);
}

TEST(KeepalivedChecker, TheLoopsLagDoesNotLengthenThePeriod) {
  Verdict v(T(2), At(0));
  // Due at 0, started 3 s late, ended at 4: the next is due 10 s after 1 (due + duration).
  v.Record(true, At(4), seconds(3));
  EXPECT_EQ(v.next_check(), At(11));
  // A retry after a late failure: delay_before_retry (2 s) from 12 - 1.
  v.Record(false, At(12), seconds(1));
  EXPECT_EQ(v.next_check(), At(13));
  // More lag than the interval: due at once, never in the past.
  v.Record(true, At(20), seconds(30));
  EXPECT_EQ(v.next_check(), At(20));
  // No lag: keepalived's rule, the interval after the check's end.
  v.Record(true, At(20));
  EXPECT_EQ(v.next_check(), At(30));
}

TEST(KeepalivedChecker, ASuccessDuringRetriesKeepsItUpAndRearmsTheRetries) {
  Verdict v(T(1), At(0));
  v.Record(false, At(0));
  auto r = v.Record(true, At(2));
  EXPECT_FALSE(r.changed);
  EXPECT_TRUE(v.up());
  EXPECT_EQ(v.next_check(), At(12));
  EXPECT_EQ(v.retries_left(), 1);
  v.Record(false, At(12));
  EXPECT_TRUE(v.up());  // a fresh retry, not the end
}

TEST(KeepalivedChecker, RetryZeroMeansTheFirstFailureCounts) {
  Verdict v(T(0), At(0));
  auto r = v.Record(false, At(0));
  EXPECT_TRUE(r.changed);
  EXPECT_FALSE(v.up());
  EXPECT_EQ(r.reason, "check failed");
}

TEST(KeepalivedChecker, DownServerComesUpOnOneSuccess) {
  Verdict v(T(3), At(0));
  for (int i = 0; i < 4; ++i) v.Record(false, v.next_check());
  ASSERT_FALSE(v.up());
  TimePoint t = v.next_check();
  auto r = v.Record(false, t);  // down and failing: no retries, delay_loop
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(v.next_check(), t + seconds(10));
  r = v.Record(true, v.next_check());
  EXPECT_TRUE(r.changed);
  EXPECT_TRUE(v.up());
}

TEST(KeepalivedChecker, AlphaStartsDown) {
  Verdict v(T(1, /*alpha=*/true), At(3));
  EXPECT_FALSE(v.up());
  EXPECT_EQ(v.next_check(), At(3));
  auto r = v.Record(true, At(3));
  EXPECT_TRUE(r.changed);
  EXPECT_TRUE(v.up());
}

model::CheckerConf Checker(model::CheckerKind k) {
  model::CheckerConf c;
  c.kind = k;
  return c;
}

TEST(KeepalivedCheckerTiming, InheritanceAndDefaults) {
  model::VirtualServerConf vs;
  model::RealServerConf rs;
  auto t = ResolveTiming(Checker(model::CheckerKind::kTcp), rs, vs);
  EXPECT_EQ(t.delay_loop, model::defaults::kDelayLoop);
  EXPECT_EQ(t.warmup, model::defaults::kDelayLoop);  // warmup defaults to delay_loop
  EXPECT_EQ(t.delay_before_retry, seconds(1));
  EXPECT_EQ(t.retry, 1);
  EXPECT_EQ(t.connect_timeout, model::defaults::kConnectTimeout);
  EXPECT_FALSE(t.alpha);
  EXPECT_EQ(ResolveTiming(Checker(model::CheckerKind::kHttp), rs, vs).delay_before_retry,
            seconds(3));
  EXPECT_EQ(ResolveTiming(Checker(model::CheckerKind::kSsl), rs, vs).delay_before_retry,
            seconds(3));
  vs.delay_loop = seconds(7);
  EXPECT_EQ(ResolveTiming(Checker(model::CheckerKind::kDns), rs, vs).delay_before_retry,
            seconds(7));
  // checker over real server over virtual server
  vs.retry = 5;
  vs.alpha = true;
  rs.retry = 4;
  rs.delay_loop = seconds(6);
  auto c = Checker(model::CheckerKind::kTcp);
  c.common.retry = 3;
  c.common.warmup = seconds(0);
  t = ResolveTiming(c, rs, vs);
  EXPECT_EQ(t.retry, 3);
  EXPECT_EQ(t.delay_loop, seconds(6));
  EXPECT_EQ(t.warmup, seconds(0));
  EXPECT_TRUE(t.alpha);
  c.common.alpha = false;
  EXPECT_FALSE(ResolveTiming(c, rs, vs).alpha);
}

}  // namespace
}  // namespace vigil::check
