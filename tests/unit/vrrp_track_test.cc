// keepalived's tracking rules (keepalived.conf(5): track_interface, track_script, track_file)
// as vrrp::ComputePriority and vrrp::ScriptVerdict apply them.
#include <gtest/gtest.h>

#include "vrrp/track.h"

namespace vigil::vrrp {
namespace {

EffectivePriority P(int base, std::vector<TrackedState> s, std::vector<TrackedValue> v = {}) {
  return ComputePriority(base, s, v);
}

TEST(KeepalivedTracking, WeightZeroMeansFaultWhenDown) {
  EXPECT_FALSE(P(100, {{"interface eth1", 0, false, true}}).fault);
  auto r = P(100, {{"interface eth1", 0, false, false}});
  EXPECT_TRUE(r.fault);
  EXPECT_EQ(r.fault_reason, "interface eth1 is down");
  EXPECT_EQ(r.priority, 100);
  // reverse: up is the fault.
  EXPECT_TRUE(P(100, {{"script chk", 0, true, true}}).fault);
  EXPECT_FALSE(P(100, {{"script chk", 0, true, false}}).fault);
}

TEST(KeepalivedTracking, PositiveWeightAddsWhenUpNegativeSubtractsWhenDown) {
  EXPECT_EQ(P(100, {{"a", 10, false, true}}).priority, 110);
  EXPECT_EQ(P(100, {{"a", 10, false, false}}).priority, 100);
  EXPECT_EQ(P(100, {{"a", -30, false, true}}).priority, 100);
  EXPECT_EQ(P(100, {{"a", -30, false, false}}).priority, 70);
  // Several objects add up.
  EXPECT_EQ(
      P(100, {{"a", 10, false, true}, {"b", -30, false, false}, {"c", 5, false, true}}).priority,
      85);
}

TEST(KeepalivedTracking, ReverseNegatesTheWeight) {
  // +10 reversed is -10: subtracted while down.
  EXPECT_EQ(P(100, {{"a", 10, true, false}}).priority, 90);
  EXPECT_EQ(P(100, {{"a", 10, true, true}}).priority, 100);
  // -10 reversed is +10: added while up.
  EXPECT_EQ(P(100, {{"a", -10, true, true}}).priority, 110);
}

TEST(KeepalivedTracking, EffectivePriorityStaysWithinOneAnd254AndOwnerKeeps255) {
  EXPECT_EQ(P(250, {{"a", 50, false, true}}).priority, 254);
  EXPECT_EQ(P(20, {{"a", -50, false, false}}).priority, 1);
  EXPECT_EQ(P(255, {{"a", -50, false, false}}).priority, 255);
  EXPECT_TRUE(P(255, {{"a", 0, false, false}}).fault);  // FAULT still applies
}

TEST(KeepalivedTrackFile, ValueTimesWeight) {
  EXPECT_EQ(P(100, {}, {{"file f", 1, false, -40}}).priority, 60);
  EXPECT_EQ(P(100, {}, {{"file f", 2, false, 10}}).priority, 120);
  EXPECT_EQ(P(100, {}, {{"file f", 2, true, 10}}).priority, 80);
  // weight 0: any non-zero value is FAULT.
  EXPECT_FALSE(P(100, {}, {{"file f", 0, false, 0}}).fault);
  auto r = P(100, {}, {{"file f", 0, false, 3}});
  EXPECT_TRUE(r.fault);
  EXPECT_EQ(r.fault_reason, "file f holds 3");
  // An adjustment of -254 or lower is FAULT.
  EXPECT_TRUE(P(100, {}, {{"file f", 1, false, -254}}).fault);
  EXPECT_FALSE(P(100, {}, {{"file f", 1, false, -253}}).fault);
}

TEST(KeepalivedTracking, FirstFaultNamesTheReason) {
  auto r = P(100, {{"interface a", 0, false, false}, {"script b", 0, false, false}});
  EXPECT_EQ(r.fault_reason, "interface a is down");
}

TEST(KeepalivedVrrpScript, FallFailuresTurnItKoAndRiseSuccessesBack) {
  ScriptVerdict v(/*rise=*/2, /*fall=*/3, /*init_fail=*/false);
  EXPECT_TRUE(v.ok());
  EXPECT_FALSE(v.Record(false));
  EXPECT_FALSE(v.Record(false));
  EXPECT_FALSE(v.Record(true));  // a success in between starts the count again
  EXPECT_FALSE(v.Record(false));
  EXPECT_FALSE(v.Record(false));
  EXPECT_TRUE(v.Record(false));
  EXPECT_FALSE(v.ok());
  EXPECT_FALSE(v.Record(true));
  EXPECT_FALSE(v.Record(false));
  EXPECT_FALSE(v.Record(true));
  EXPECT_TRUE(v.Record(true));
  EXPECT_TRUE(v.ok());
}

TEST(KeepalivedVrrpScript, InitFailStartsKo) {
  ScriptVerdict v(1, 1, true);
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(v.Record(true));
  EXPECT_TRUE(v.ok());
}

}  // namespace
}  // namespace vigil::vrrp

namespace vigil::vrrp {
namespace {

TEST(KeepalivedTrackProcess, NameIsTheCommUnlessFullCommand) {
  std::vector<std::string> argv{"/usr/sbin/nginx", "-g", "daemon off;"};
  ProcessPattern p{"nginx"};
  EXPECT_TRUE(ProcessMatches(p, "nginx", argv));
  EXPECT_FALSE(ProcessMatches(p, "nginx-debug", argv));
  // comm holds 15 characters: a longer name matches on them.
  ProcessPattern longer{"a_very_long_process_name"};
  EXPECT_TRUE(ProcessMatches(longer, "a_very_long_pro", std::vector<std::string>{"x"}));
  ProcessPattern full{"/usr/sbin/nginx"};
  full.full_command = true;
  EXPECT_TRUE(ProcessMatches(full, "whatever", argv));
  EXPECT_FALSE(ProcessMatches(full, "nginx", std::vector<std::string>{"nginx"}));
  EXPECT_FALSE(ProcessMatches(p, "nginx", std::vector<std::string>{}));  // a kernel thread
}

TEST(KeepalivedTrackProcess, ParameterMatching) {
  std::vector<std::string> argv{"sleep", "100", "200", "300"};
  ProcessPattern exact{"sleep", {"100", "200", "300"}};
  EXPECT_TRUE(ProcessMatches(exact, "sleep", argv));
  exact.parameters = {"100", "200"};
  EXPECT_FALSE(ProcessMatches(exact, "sleep", argv));
  ProcessPattern initial{"sleep", {"100", "200"}, ProcessPattern::ParamMatch::kInitial};
  EXPECT_TRUE(ProcessMatches(initial, "sleep", argv));
  initial.parameters = {"200"};
  EXPECT_FALSE(ProcessMatches(initial, "sleep", argv));
  ProcessPattern partial{"sleep", {"200", "300"}, ProcessPattern::ParamMatch::kPartial};
  EXPECT_TRUE(ProcessMatches(partial, "sleep", argv));
  partial.parameters = {"100", "300"};
  EXPECT_FALSE(ProcessMatches(partial, "sleep", argv));
  partial.parameters = {"100", "200", "300", "400"};
  EXPECT_FALSE(ProcessMatches(partial, "sleep", argv));
}

TEST(KeepalivedTrackProcess, Quorum) {
  EXPECT_FALSE(ProcessQuorumMet(0, 1, std::nullopt));
  EXPECT_TRUE(ProcessQuorumMet(1, 1, std::nullopt));
  EXPECT_TRUE(ProcessQuorumMet(5, 1, std::nullopt));
  EXPECT_FALSE(ProcessQuorumMet(1, 2, 3));
  EXPECT_TRUE(ProcessQuorumMet(3, 2, 3));
  EXPECT_FALSE(ProcessQuorumMet(4, 2, 3));
}

}  // namespace
}  // namespace vigil::vrrp
