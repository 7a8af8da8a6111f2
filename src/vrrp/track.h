// Tracking, pure: what lowers or raises a router's priority, or puts it in FAULT, with
// keepalived's weight rules (keepalived.conf(5) track_interface, track_script, track_file).
//
// A tracked object is up or down (an interface, a script's rise/fall verdict) or carries a
// value (a track_file). Its weight decides what that means for the instance:
//   weight 0       down means FAULT;
//   weight > 0     up adds the weight;
//   weight < 0     down adds the (negative) weight;
//   reverse        the direction is reversed: the weight is negated (and, for weight 0, up
//                  means FAULT);
//   file value     value x weight is added (negated with reverse); with weight 0 a non-zero
//                  value means FAULT, and a total of -254 or less means FAULT.
// The effective priority is the base plus the adjustments, kept within 1..254 (an address
// owner, base 255, keeps 255: keepalived does not adjust it).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::vrrp {

struct TrackedState {
  std::string name;  // for status and logs: "interface eth1", "script chk_web"
  int weight = 0;
  bool reverse = false;
  bool up = true;
};

struct TrackedValue {
  std::string name;  // "file /run/x"
  int weight = 1;
  bool reverse = false;
  int64_t value = 0;
};

struct EffectivePriority {
  int priority = 100;
  bool fault = false;
  std::string fault_reason;  // the first tracked object that faults the instance
  bool operator==(const EffectivePriority&) const = default;
};

EffectivePriority ComputePriority(int base, std::span<const TrackedState> states,
                                  std::span<const TrackedValue> values);

// keepalived's vrrp_script verdict: `fall` consecutive failures turn an OK script KO, `rise`
// consecutive successes turn a KO script OK. It starts OK, or KO with init_fail.
class ScriptVerdict {
 public:
  ScriptVerdict(int rise, int fall, bool init_fail)
      : rise_(rise < 1 ? 1 : rise), fall_(fall < 1 ? 1 : fall), ok_(!init_fail) {}
  // Records one run (a timeout or a signal is a failure); true if ok() changed.
  bool Record(bool success);
  bool ok() const { return ok_; }

 private:
  int rise_, fall_;
  bool ok_;
  int streak_ = 0;  // consecutive results against the current verdict
};

// keepalived's vrrp_track_process: which processes count. The name is compared with the
// process's 15-character name (/proc/PID/comm; a longer configured name with its first 15
// characters), or with full_command with argv[0]. Parameters, if given, must equal argv[1..]
// (param_match initial: begin it; partial: appear in it consecutively).
struct ProcessPattern {
  enum class ParamMatch { kExact, kInitial, kPartial };
  std::string process;
  std::vector<std::string> parameters;
  ParamMatch param_match = ParamMatch::kExact;
  bool full_command = false;
};
bool ProcessMatches(const ProcessPattern& p, std::string_view comm,
                    std::span<const std::string> argv);
// Up while quorum <= count (<= quorum_max, if set).
inline bool ProcessQuorumMet(int count, int quorum, std::optional<int> quorum_max) {
  return count >= quorum && (!quorum_max || count <= *quorum_max);
}

}  // namespace vigil::vrrp
