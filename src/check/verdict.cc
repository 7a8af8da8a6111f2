#include "check/verdict.h"

#include <algorithm>

namespace vigil::check {

Timing ResolveTiming(const model::CheckerConf& c, const model::RealServerConf& rs,
                     const model::VirtualServerConf& vs) {
  namespace d = model::defaults;
  const model::CheckCommon& cc = c.common;
  Timing t;
  t.delay_loop = cc.delay_loop.value_or(rs.delay_loop.value_or(vs.delay_loop));
  t.connect_timeout = cc.connect_timeout.value_or(
      rs.connect_timeout.value_or(vs.connect_timeout.value_or(d::kConnectTimeout)));
  Duration retry_default = d::kDelayBeforeRetry;
  if (c.kind == model::CheckerKind::kHttp || c.kind == model::CheckerKind::kSsl) {
    retry_default = std::chrono::seconds(3);
  } else if (c.kind == model::CheckerKind::kDns) {
    retry_default = t.delay_loop;
  }
  t.delay_before_retry = cc.delay_before_retry.value_or(
      rs.delay_before_retry.value_or(vs.delay_before_retry.value_or(retry_default)));
  t.warmup = cc.warmup.value_or(rs.warmup.value_or(vs.warmup.value_or(t.delay_loop)));
  t.retry = cc.retry.value_or(rs.retry.value_or(vs.retry.value_or(d::kRetry)));
  if (t.retry < 0) t.retry = 0;
  t.alpha = cc.alpha.value_or(rs.alpha.value_or(vs.alpha));
  return t;
}

Verdict::Verdict(const Timing& t, TimePoint first_check)
    : timing_(t), up_(!t.alpha), next_(first_check), retries_left_(t.retry) {}

Transition Verdict::Record(bool success, TimePoint now, Duration late) {
  ++checks_;
  // The next check is due an interval after `now - late` (never before `now`).
  auto after = [&](Duration interval) {
    return now + interval - std::clamp(late, Duration::zero(), interval);
  };
  Transition tr;
  if (success) {
    retries_left_ = timing_.retry;
    next_ = after(timing_.delay_loop);
    if (!up_) {
      up_ = true;
      tr.changed = true;
      tr.reason = "check succeeded";
    }
    tr.up = up_;
    return tr;
  }
  ++failures_;
  if (up_ && retries_left_ > 0) {
    --retries_left_;
    next_ = after(timing_.delay_before_retry);
    tr.up = true;
    return tr;
  }
  next_ = after(timing_.delay_loop);
  if (up_) {
    up_ = false;
    tr.changed = true;
    tr.reason = timing_.retry > 0 ? "check failed after " + std::to_string(timing_.retry) +
                                        " retr" + (timing_.retry == 1 ? "y" : "ies")
                                  : "check failed";
  }
  retries_left_ = timing_.retry;
  tr.up = up_;
  return tr;
}

}  // namespace vigil::check
