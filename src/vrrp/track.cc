#include "vrrp/track.h"

#include <algorithm>

namespace vigil::vrrp {
namespace {

constexpr int64_t kFaultTotal = -254;  // a track_file adjustment this low means FAULT

}  // namespace

EffectivePriority ComputePriority(int base, std::span<const TrackedState> states,
                                  std::span<const TrackedValue> values) {
  EffectivePriority r;
  auto fault = [&](const std::string& why) {
    if (!r.fault) r.fault_reason = why;
    r.fault = true;
  };
  int64_t delta = 0;
  for (const auto& s : states) {
    if (s.weight == 0) {
      if (s.up == s.reverse) fault(s.name + (s.reverse ? " is up (reverse)" : " is down"));
      continue;
    }
    int w = s.reverse ? -s.weight : s.weight;
    if (w > 0 && s.up) delta += w;
    if (w < 0 && !s.up) delta += w;
  }
  for (const auto& v : values) {
    if (v.weight == 0) {
      if (v.value != 0) fault(v.name + " holds " + std::to_string(v.value));
      continue;
    }
    int64_t add = v.value * (v.reverse ? -v.weight : v.weight);
    if (add <= kFaultTotal) fault(v.name + " adjusts by " + std::to_string(add));
    delta += add;
  }
  if (base >= 255) {
    r.priority = 255;
  } else {
    r.priority = static_cast<int>(std::clamp<int64_t>(base + delta, 1, 254));
  }
  return r;
}

bool ScriptVerdict::Record(bool success) {
  if (success == ok_) {
    streak_ = 0;
    return false;
  }
  if (++streak_ < (ok_ ? fall_ : rise_)) return false;
  ok_ = success;
  streak_ = 0;
  return true;
}

bool ProcessMatches(const ProcessPattern& p, std::string_view comm,
                    std::span<const std::string> argv) {
  if (argv.empty()) return false;
  if (p.full_command) {
    if (argv[0] != p.process) return false;
  } else if (comm != std::string_view(p.process).substr(0, 15)) {
    return false;
  }
  if (p.parameters.empty()) return true;
  auto args = argv.subspan(1);
  const auto& want = p.parameters;
  auto equal_at = [&](size_t at) {
    for (size_t i = 0; i < want.size(); ++i) {
      if (args[at + i] != want[i]) return false;
    }
    return true;
  };
  if (args.size() < want.size()) return false;
  switch (p.param_match) {
    case ProcessPattern::ParamMatch::kExact:
      return args.size() == want.size() && equal_at(0);
    case ProcessPattern::ParamMatch::kInitial:
      return equal_at(0);
    case ProcessPattern::ParamMatch::kPartial:
      for (size_t at = 0; at + want.size() <= args.size(); ++at) {
        if (equal_at(at)) return true;
      }
      return false;
  }
  return false;
}

}  // namespace vigil::vrrp
