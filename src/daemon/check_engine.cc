#include "daemon/check_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "base/rate_limit.h"
#include "check/verdict.h"
#include "daemon/dataplane.h"
#include "daemon/lvs_sync.h"
#include "daemon/notifier.h"
#include "daemon/probe.h"
#include "daemon/smtp_alert.h"
#include "lb/desired.h"
#include "os/linux/netlink.h"

namespace vigil::daemon {

namespace asio = boost::asio;

namespace {

check::TimePoint Now() {
  return std::chrono::time_point_cast<check::Duration>(std::chrono::steady_clock::now());
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// keepalived's names: [192.0.2.10]:tcp:80, FWM 1.
std::string ServiceText(const lb::ServiceKey& k) {
  if (k.kind == model::VsKeyKind::kFwmark) return "FWM " + std::to_string(k.fwmark);
  return "[" + k.address.ToString() + "]:" + Lower(k.protocol) + ":" + std::to_string(k.port);
}

std::string VsText(const model::VirtualServerConf& vs) {
  if (vs.key_kind == model::VsKeyKind::kGroup) return "group " + vs.group;
  lb::ServiceKey k;
  k.kind = vs.key_kind;
  k.address = vs.address;
  k.port = vs.port.value_or(0);
  k.fwmark = vs.fwmark;
  k.protocol = vs.protocol.empty() ? "TCP" : vs.protocol;
  return ServiceText(k);
}

// global_defs' lvs_flush, lvs_flush_on_stop [VS] and lvs_sync_daemon (without an instance:
// the VRRP engine runs one that follows an instance), which the parser keeps verbatim.
IpvsOptions IpvsOptionsOf(const model::Config& config) {
  IpvsOptions o;
  for (const auto& e : config.global.extra) {
    if (e.empty()) continue;
    const std::string& kw = e[0];
    if (kw == "lvs_flush") o.flush_at_start = true;
    // With VS, keepalived deletes each of its services (their destinations go with them),
    // which is what Vigil does anyway; without, it flushes the whole table.
    if (kw == "lvs_flush_on_stop" || kw == "lvs_flush_onstop") {
      o.flush_on_stop = e.size() < 2 || e[1] != "VS";
    }
  }
  if (const auto* e = model::FindExtra(config.global.extra, "lvs_timeouts")) {
    IpvsOptions::Timeouts t;
    std::string bad;
    for (size_t i = 1; i < e->size(); ++i) {
      const std::string& w = (*e)[i];
      uint32_t* slot = w == "tcp"      ? &t.tcp
                       : w == "tcpfin" ? &t.tcp_fin
                       : w == "udp"    ? &t.udp
                                       : nullptr;
      const std::string* v = i + 1 < e->size() ? &(*e)[i + 1] : nullptr;
      if (!slot || !v || v->empty() || v->size() > 9 ||
          v->find_first_not_of("0123456789") != std::string::npos || std::stoul(*v) == 0) {
        bad = w;
        break;
      }
      *slot = static_cast<uint32_t>(std::stoul(*v));
      ++i;
    }
    if (!bad.empty() || (!t.tcp && !t.tcp_fin && !t.udp)) {
      spdlog::warn(
          "lvs_timeouts: expected [tcp SECS] [tcpfin SECS] [udp SECS] (at least one){}; "
          "the timeouts are left as they are",
          bad.empty() ? "" : ", found '" + bad + "'");
    } else {
      o.timeouts = t;
    }
  }
  auto sync = ParseLvsSyncDaemon(config);
  if (sync && sync->instance.empty()) o.sync_daemon = sync->daemon;
  return o;
}

// A failed apply is tried again after 1 s, then 2, 4, ... at most 30 s apart.
constexpr std::chrono::seconds kApplyRetryFirst{1}, kApplyRetryMax{30};

// keepalived's mail body for a real server's change, by the checker that made it.
std::string AlertBody(model::CheckerKind kind, bool up, const std::string& failure,
                      const std::string& detail) {
  using K = model::CheckerKind;
  const char* verb = up ? "succeed" : "failed";
  switch (kind) {
    case K::kTcp:
      return fmt::format("=> TCP CHECK {} on service <=", verb);
    case K::kUdp:
      return fmt::format("=> UDP CHECK {} on service <=", verb);
    case K::kPing:
      return fmt::format("=> ICMP CHECK {} on service <=", verb);
    case K::kMisc:
      return fmt::format("=> MISC CHECK {} on service <=", verb);
    case K::kDns:
      return fmt::format("=> DNS_CHECK: {} on service <=", verb);
    default:
      if (up) return "=> CHECK succeed on service <=";
      return "=> CHECK failed on service : " + failure +
             (detail.empty() ? "" : " (" + detail + ")") + " <=";
  }
}

}  // namespace

struct CheckEngine::Impl {
  struct CheckerRt {
    const model::CheckerConf* conf;
    std::unique_ptr<Probe> probe;
    std::optional<check::Verdict> verdict;
    std::unique_ptr<asio::steady_timer> timer;
    std::map<std::string, uint64_t> failures;  // by name
    std::string last_failure, last_detail;
    std::optional<int> weight;  // misc_dynamic / FILE_CHECK
    bool running = false;
    check::Duration delay_loop{0};
    check::Duration late{0};  // how long after it was due the running check started
    check::TimePoint started{};
    check::Duration last_took{0};  // the last recorded check's duration
  };
  struct RealServerRt {
    const model::RealServerConf* conf;
    std::vector<std::unique_ptr<CheckerRt>> checkers;
    bool alive = true;         // what its checkers say
    bool disabled = false;     // the operator took it out (vigilctl real-server disable)
    uint64_t transitions = 0;  // up/down changes of `alive`
    std::string text;
  };
  struct VirtualServerRt {
    const model::VirtualServerConf* conf;
    size_t conf_index = 0;  // in config.virtual_servers (a deque: no pointer arithmetic)
    std::vector<lb::ServiceKey> keys;
    std::vector<std::unique_ptr<RealServerRt>> servers;
    bool quorum = true;
    int live_weight = 0;
    bool suspended = false;  // ha_suspend and none of its addresses is on this host
    std::string text;
  };

  asio::io_context& io;
  const model::Config& config;
  Notifier notifier;
  SmtpAlerter alerter;
  std::unique_ptr<Dataplane> dataplane;
  asio::steady_timer retry_timer;  // a failed apply is tried again
  std::chrono::seconds retry_delay = kApplyRetryFirst;
  asio::steady_timer suspend_timer;  // ha_suspend: looks for the addresses every second
  std::vector<std::unique_ptr<VirtualServerRt>> vss;
  std::vector<lb::Service> table;  // what the dataplane was last asked for
  bool dirty = false, apply_posted = false, stopping = false;
  uint64_t apply_failures = 0, applies = 0;
  Impl* prev = nullptr;      // during a reload's Build(): the engine of the configuration before
  bool handed_over = false;  // a newer engine took over from this one
  bool keep_table_on_stop = false;  // -I
  std::string last_apply_error;
  base::RateLimit failure_logs{20, std::chrono::seconds(10)};
  std::mt19937_64 rng{std::random_device{}()};
  // global_defs' checker_log_all_failures [BOOL]: the default of each checker's
  // log_all_failures.
  bool log_all_failures = [this] {
    const auto* e = model::FindExtra(config.global.extra, "checker_log_all_failures");
    if (!e) return false;
    if (e->size() < 2) return true;
    const std::string& v = (*e)[1];
    return v == "true" || v == "yes" || v == "on" || v == "1";
  }();

  Impl(asio::io_context& i, const model::Config& c)
      : io(i),
        config(c),
        notifier(i, c, Notifier::Side::kChecker),
        alerter(i, c.global),
        retry_timer(i),
        suspend_timer(i) {}

  std::unique_ptr<Dataplane> MakeDataplane(std::string* error) {
    std::istringstream in(config.global.lb_dataplane);
    std::string kind, table;
    in >> kind >> table;
    if (kind.empty() || kind == "ipvs") return MakeIpvsDataplane(IpvsOptionsOf(config), error);
    if (kind == "nftables") return MakeNftDataplane(table);
    *error = "lb_dataplane must be ipvs or nftables, found '" + kind + "'";
    return nullptr;
  }

  // A reload's key for "the same checker" (and its real and virtual server): the virtual
  // server's and the real server's keepalived names, the checker's place and kind.
  static std::string CheckerKey(const std::string& vs, const std::string& rs, size_t i,
                                model::CheckerKind kind) {
    return vs + " " + rs + " " + std::to_string(i) + " " + model::CheckerKeyword(kind);
  }

  bool Build() {
    std::string err;
    // A reload on the same dataplane goes on with the previous engine's (it hands it over
    // once this Build has succeeded): no second IPVS session, no flush, one table.
    Dataplane* dp = nullptr;
    if (prev && prev->dataplane && prev->config.global.lb_dataplane == config.global.lb_dataplane) {
      dp = prev->dataplane.get();
    } else {
      dataplane = MakeDataplane(&err);
      if (!dataplane) {
        spdlog::error("{}", err);
        return false;
      }
      dp = dataplane.get();
    }
    std::map<std::string, const CheckerRt*> old_checkers;
    std::map<std::string, const VirtualServerRt*> old_vss;
    std::map<std::string, const RealServerRt*> old_rss;
    if (prev) {
      for (const auto& v : prev->vss) {
        old_vss[v->text] = v.get();
        for (const auto& r : v->servers) {
          old_rss[v->text + " " + r->text] = r.get();
          for (size_t i = 0; i < r->checkers.size(); ++i) {
            const auto& c = *r->checkers[i];
            old_checkers[CheckerKey(v->text, r->text, i, c.conf->kind)] = &c;
          }
        }
      }
    }
    bool ok = true;
    for (size_t vs_index = 0; vs_index < config.virtual_servers.size(); ++vs_index) {
      const auto& vs = config.virtual_servers[vs_index];
      auto v = std::make_unique<VirtualServerRt>();
      v->conf = &vs;
      v->conf_index = vs_index;
      v->text = VsText(vs);
      v->keys = lb::KeysOf(vs, config.vs_groups);
      if (v->keys.empty()) {
        spdlog::error("{}: virtual_server_group {} is not defined or empty", vs.loc.ToString(),
                      vs.group);
        ok = false;
        continue;
      }
      for (const auto& rs : vs.real_servers) {
        auto r = std::make_unique<RealServerRt>();
        r->conf = &rs;
        r->text = "[" + rs.address.ToString() +
                  "]:" + Lower(vs.protocol.empty() ? "TCP" : vs.protocol) + ":" +
                  std::to_string(rs.port.value_or(vs.port.value_or(0)));
        for (const auto& c : rs.checkers) {
          auto cr = std::make_unique<CheckerRt>();
          cr->conf = &c;
          if (c.kind == model::CheckerKind::kBfd) {
            spdlog::warn("{}: BFD_CHECK is not run by Vigil yet; the checker is ignored",
                         c.loc.ToString());
            continue;
          }
          ProbeSpec spec;
          spec.checker = &c;
          spec.rs = &rs;
          spec.vs = &vs;
          spec.config = &config;
          auto timing = check::ResolveTiming(c, rs, vs);
          spec.target.address = c.common.connect_ip.value_or(rs.address);
          spec.target.port = c.common.connect_port.value_or(rs.port.value_or(vs.port.value_or(0)));
          spec.target.bindto = c.common.bindto;
          spec.target.bind_port = c.common.bind_port;
          spec.target.bind_if = c.common.bind_if;
          spec.target.fwmark = c.common.fwmark;
          spec.target.timeout = timing.connect_timeout;
          std::string perr;
          cr->probe = MakeProbe(io, spec, &perr);
          if (!cr->probe) {
            spdlog::error("{}: {}", c.loc.ToString(), perr);
            ok = false;
            continue;
          }
          std::uniform_int_distribution<int64_t> spread(0, timing.warmup.count());
          cr->verdict.emplace(timing, Now() + check::Duration(spread(rng)));
          auto old = old_checkers.find(CheckerKey(v->text, r->text, r->checkers.size(), c.kind));
          if (old != old_checkers.end()) {  // a reload: its results carry over
            const CheckerRt& o = *old->second;
            cr->verdict->Inherit(*o.verdict);
            cr->failures = o.failures;
            cr->last_failure = o.last_failure;
            cr->last_detail = o.last_detail;
            cr->weight = o.weight;
            cr->last_took = o.last_took;
          }
          cr->delay_loop = timing.delay_loop;
          cr->timer = std::make_unique<asio::steady_timer>(io);
          r->checkers.push_back(std::move(cr));
        }
        r->alive = AllUp(*r);
        if (auto o = old_rss.find(v->text + " " + r->text); o != old_rss.end()) {
          r->disabled = o->second->disabled;  // an operator's choice outlives a reload
          r->transitions = o->second->transitions;
        }
        v->servers.push_back(std::move(r));
      }
      // The starting quorum: what the starting states give, from "had quorum" (keepalived
      // starts each virtual server up and lets the first computation decide).
      v->quorum = lb::Desired(vs, Alive(*v), Weights(*v), true).quorum;
      if (auto o = old_vss.find(v->text); o != old_vss.end()) v->quorum = o->second->quorum;
      for (const auto& key : v->keys) {
        lb::ServiceState st = lb::Desired(vs, Alive(*v), Weights(*v), v->quorum);
        st.service.key = key;
        std::string why = dp->Unsupported(st.service);
        if (!why.empty()) {
          spdlog::error("{}: virtual_server {}: {}", vs.loc.ToString(), v->text, why);
          ok = false;
        }
      }
      vss.push_back(std::move(v));
    }
    return ok;
  }

  static bool AllUp(const RealServerRt& r) {
    for (const auto& c : r.checkers) {
      if (!c->verdict->up()) return false;
    }
    return true;
  }
  static std::vector<bool> Alive(const VirtualServerRt& v) {
    std::vector<bool> a;
    for (const auto& r : v.servers) a.push_back(r->alive && !r->disabled);
    return a;
  }
  static std::vector<int> Weights(const VirtualServerRt& v) {
    std::vector<int> w;
    for (const auto& r : v.servers) {
      int weight = r->conf->weight;
      for (const auto& c : r->checkers) {
        if (c->weight) weight = *c->weight;
      }
      w.push_back(weight);
    }
    return w;
  }

  std::vector<lb::Service> DesiredTable() {
    std::vector<lb::Service> out;
    for (auto& v : vss) {
      lb::ServiceState st = lb::Desired(*v->conf, Alive(*v), Weights(*v), v->quorum);
      v->live_weight = st.live_weight;
      if (st.quorum != v->quorum) QuorumChanged(*v, st.quorum);
      for (const auto& key : v->keys) {
        lb::Service s = st.service;
        s.key = key;
        out.push_back(std::move(s));
      }
    }
    return out;
  }

  void QuorumChanged(VirtualServerRt& v, bool up) {
    v.quorum = up;
    const auto& vs = *v.conf;
    if (up) {
      spdlog::info("Gained quorum {}+{}={} <= {} for VS {}", vs.quorum, vs.hysteresis,
                   vs.quorum + vs.hysteresis, v.live_weight, v.text);
      if (vs.quorum_up) notifier.RunScript(*vs.quorum_up);
      if (alerter.CheckerEnabled(vs.smtp_alert)) {
        alerter.VirtualServerState(
            v.text, true,
            fmt::format("=> Gained quorum {}+{}={} <= {} <=", vs.quorum, vs.hysteresis,
                        vs.quorum + vs.hysteresis, v.live_weight));
      }
    } else {
      spdlog::info("Lost quorum {}-{}={} > {} for VS {}", vs.quorum, vs.hysteresis,
                   vs.quorum - vs.hysteresis, v.live_weight, v.text);
      if (vs.quorum_down) notifier.RunScript(*vs.quorum_down);
      if (alerter.CheckerEnabled(vs.smtp_alert)) {
        alerter.VirtualServerState(
            v.text, false,
            fmt::format("=> Lost quorum {}-{}={} > {} <=", vs.quorum, vs.hysteresis,
                        vs.quorum - vs.hysteresis, v.live_weight));
      }
    }
    notifier.FifoLine("VS " + v.text + (up ? " UP" : " DOWN"));
  }

  void MarkDirty() {
    dirty = true;
    if (apply_posted) return;
    apply_posted = true;
    asio::post(io, [this] {
      apply_posted = false;
      if (dirty && !stopping) Apply();
    });
  }

  void Apply() {
    dirty = false;
    auto desired = DesiredTable();
    std::string err;
    ++applies;
    if (!dataplane->Apply(desired, &err)) {
      ++apply_failures;
      last_apply_error = err;
      spdlog::error("{}: cannot program the load balancer: {}; trying again in {} s",
                    dataplane->name(), err, retry_delay.count());
      // Tried again from what the kernel holds, unless a change has come first.
      dirty = true;
      retry_timer.expires_after(retry_delay);
      retry_delay = std::min(retry_delay * 2, kApplyRetryMax);
      retry_timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec && dirty && !stopping) Apply();
      });
      return;
    }
    retry_timer.cancel();
    retry_delay = kApplyRetryFirst;
    table = std::move(desired);
  }

  void Schedule(VirtualServerRt& v, RealServerRt& r, CheckerRt& c) {
    if (stopping) return;
    auto due = c.verdict->next_check();
    c.timer->expires_at(std::chrono::steady_clock::time_point(due.time_since_epoch()));
    c.timer->async_wait([this, &v, &r, &c](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      if (v.suspended) return Suspended(v, r, c);
      c.late = std::max(check::Duration::zero(), Now() - c.verdict->next_check());
      RunCheck(v, r, c);
    });
  }

  // ha_suspend: no check while the virtual server's address is not here; the real server
  // keeps its state, and checking resumes within a second of the address's return.
  void Suspended(VirtualServerRt& v, RealServerRt& r, CheckerRt& c) {
    c.timer->expires_after(std::chrono::seconds(1));
    c.timer->async_wait([this, &v, &r, &c](const boost::system::error_code& ec) {
      if (ec || stopping) return;
      if (v.suspended) return Suspended(v, r, c);
      c.late = check::Duration::zero();
      RunCheck(v, r, c);
    });
  }

  void PollSuspended() {
    auto here = os::LocalAddresses();
    for (auto& v : vss) {
      if (!v->conf->ha_suspend) continue;
      bool present = false;
      for (const auto& k : v->keys) {
        if (k.kind != model::VsKeyKind::kAddress) {
          present = true;  // a fwmark service has no address to wait for
          break;
        }
        for (const auto& a : here) present = present || a == k.address;
      }
      if (present == !v->suspended) continue;
      v->suspended = !present;
      spdlog::info("VS {}: {} (ha_suspend)", v->text,
                   v->suspended ? "address not on this host, checks suspended"
                                : "address back on this host, checks resume");
    }
    suspend_timer.expires_after(std::chrono::seconds(1));
    suspend_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopping) PollSuspended();
    });
  }

  void RunCheck(VirtualServerRt& v, RealServerRt& r, CheckerRt& c) {
    c.running = true;
    c.started = Now();
    c.probe->SetRecovering(!c.verdict->up());
    c.probe->Start([this, &v, &r, &c](ProbeResult res) {
      c.running = false;
      if (stopping) return;
      if (res.partial) {  // the next url after delay_loop; nothing recorded
        c.timer->expires_after(c.delay_loop);
        c.timer->async_wait([this, &v, &r, &c](const boost::system::error_code& ec) {
          if (ec || stopping) return;
          if (v.suspended) return Suspended(v, r, c);
          c.late = check::Duration::zero();  // the recovering checker's next url
          RunCheck(v, r, c);
        });
        return;
      }
      Result(v, r, c, std::move(res));
      Schedule(v, r, c);
    });
  }

  void Result(VirtualServerRt& v, RealServerRt& r, CheckerRt& c, ProbeResult res) {
    const char* kind = model::CheckerKeyword(c.conf->kind);
    if (!res.ok) {
      ++c.failures[res.failure];
      c.last_failure = res.failure;
      c.last_detail = res.detail;
      bool log_all = c.conf->common.log_all_failures.value_or(log_all_failures);
      uint64_t suppressed = 0;
      if ((log_all || c.verdict->up()) &&
          failure_logs.Allow(std::chrono::steady_clock::now(), &suppressed)) {
        spdlog::info("{} on {} failed: {} ({}){}", kind, r.text, res.failure, res.detail,
                     suppressed ? fmt::format(" [{} similar lines suppressed]", suppressed) : "");
      }
    }
    bool weight_changed = false;
    if (res.ok && res.weight != c.weight && res.weight) {
      c.weight = res.weight;
      weight_changed = true;
      spdlog::info("{} on {}: weight now {}", kind, r.text, *c.weight);
    }
    // The check's end: its start plus its own duration where the probe measured one (so the
    // time the loop took to hear of it does not lengthen the period), else now.
    auto end = res.took ? c.started + *res.took : Now();
    c.last_took = end - c.started;
    auto tr = c.verdict->Record(res.ok, end, c.late);
    if (!tr.changed) {
      if (weight_changed) MarkDirty();
      return;
    }
    spdlog::info("{} on {} {}: {}", kind, r.text, tr.up ? "succeeded" : "failed", tr.reason);
    bool alive = AllUp(r);
    if (alive != r.alive) {
      r.alive = alive;
      ++r.transitions;
      const auto& rs = *r.conf;
      spdlog::info("{} service {} {} VS {}", alive ? "Adding" : "Removing", r.text,
                   alive ? "to" : "from", v.text);
      if (alive && rs.notify_up) notifier.RunScript(*rs.notify_up);
      if (!alive && rs.notify_down) notifier.RunScript(*rs.notify_down);
      notifier.FifoLine("RS " + r.text + " " + v.text + (alive ? " UP" : " DOWN"));
      if (alerter.CheckerEnabled(rs.smtp_alert)) {
        alerter.RealServerState(r.text, v.text, alive,
                                AlertBody(c.conf->kind, alive, res.failure, res.detail));
      }
    }
    MarkDirty();
  }

  bool Start() {
    if (!Build()) return false;
    notifier.Start();
    bool ha_suspend = false;
    for (const auto& v : vss) ha_suspend = ha_suspend || v->conf->ha_suspend;
    if (ha_suspend) PollSuspended();
    Apply();
    if (apply_failures) return false;
    for (auto& v : vss) {
      for (auto& r : v->servers) {
        for (auto& c : r->checkers) Schedule(*v, *r, *c);
      }
    }
    spdlog::info("Checker engine: {} virtual servers on {}", vss.size(), dataplane->name());
    return true;
  }

  // A reload: builds on the new configuration beside `p` (still running), then takes its
  // place. False, with `p` untouched, if the new configuration cannot be built.
  bool TakeOver(Impl& p) {
    prev = &p;
    bool ok = Build();
    prev = nullptr;
    if (!ok) {
      vss.clear();
      dataplane.reset();
      return false;
    }
    bool same_dataplane = !dataplane;
    notifier.Start();  // before p's stops: a FIFO reader sees no EOF
    p.Quiesce();
    p.handed_over = true;
    if (same_dataplane) {
      dataplane = std::move(p.dataplane);
    } else if (p.dataplane) {
      p.dataplane->Clear();
    }
    StartChecking();
    spdlog::info("Checker engine reloaded: {} virtual servers on {}", vss.size(),
                 dataplane->name());
    return true;
  }

  void StartChecking() {
    bool ha_suspend = false;
    for (const auto& v : vss) ha_suspend = ha_suspend || v->conf->ha_suspend;
    if (ha_suspend) PollSuspended();
    Apply();
    for (auto& v : vss) {
      for (auto& r : v->servers) {
        for (auto& c : r->checkers) Schedule(*v, *r, *c);
      }
    }
  }

  // No more checks, timers or retries; the dataplane is left as it is.
  void Quiesce() {
    stopping = true;
    retry_timer.cancel();
    suspend_timer.cancel();
    for (auto& v : vss) {
      for (auto& r : v->servers) {
        for (auto& c : r->checkers) {
          if (c->timer) c->timer->cancel();
          c->probe.reset();  // abandons a check in flight
        }
      }
    }
  }

  void Shutdown(std::function<void()> done) {
    if (handed_over) return notifier.Stop(std::move(done));
    Quiesce();
    if (dataplane && !keep_table_on_stop) dataplane->Clear();
    notifier.Stop(std::move(done));
  }

  // vigilctl real-server disable|enable: the operator takes a real server out of its
  // virtual server (as if its checks failed; they go on) or lets its checks decide again.
  std::string SetRealServer(const std::string& vs, const std::string& address, int port,
                            bool enabled) {
    for (auto& v : vss) {
      if (v->text != vs) continue;
      for (auto& r : v->servers) {
        int rport = r->conf->port.value_or(v->conf->port.value_or(0));
        if (r->conf->address.ToString() != address || rport != port) continue;
        nlohmann::json out = {
            {"ok", true}, {"virtual_server", vs}, {"real_server", r->text}, {"disabled", !enabled}};
        if (r->disabled == !enabled) return out.dump();
        r->disabled = !enabled;
        spdlog::info("Real server {} of VS {} {} by the operator", r->text, v->text,
                     enabled ? "enabled" : "disabled");
        MarkDirty();
        return out.dump();
      }
      return nlohmann::json{
          {"ok", false},
          {"error", "no real server " + address + " port " + std::to_string(port) + " in " + vs}}
          .dump();
    }
    return nlohmann::json{{"ok", false}, {"error", "no virtual server " + vs}}.dump();
  }

  std::string StatusJson() const {
    nlohmann::json doc;
    doc["dataplane"] = dataplane ? dataplane->name() : "";
    doc["applies"] = applies;
    doc["apply_failures"] = apply_failures;
    doc["last_apply_error"] = last_apply_error;
    doc["smtp_alerts_sent"] = alerter.sent();
    doc["smtp_alerts_failed"] = alerter.failed();
    doc["virtual_servers"] = nlohmann::json::array();
    for (const auto& v : vss) {
      nlohmann::json servers = nlohmann::json::array();
      auto weights = Weights(*v);
      for (size_t i = 0; i < v->servers.size(); ++i) {
        const auto& r = *v->servers[i];
        nlohmann::json checkers = nlohmann::json::array();
        int rport = r.conf->port.value_or(v->conf->port.value_or(0));
        for (const auto& c : r.checkers) {
          const check::Timing& t = c->verdict->timing();
          auto secs = [](check::Duration d) { return std::chrono::duration<double>(d).count(); };
          const auto& common = c->conf->common;
          checkers.push_back({{"type", model::CheckerKeyword(c->conf->kind)},
                              {"up", c->verdict->up()},
                              {"checks", c->verdict->checks()},
                              {"failures", c->verdict->failures()},
                              {"failures_by_reason", c->failures},
                              {"last_failure", c->last_failure},
                              {"last_check_seconds", secs(c->last_took)},
                              {"last_detail", c->last_detail},
                              {"conf_index", c->conf - r.conf->checkers.data()},
                              {"target",
                               {{"address", common.connect_ip.value_or(r.conf->address).ToString()},
                                {"port", common.connect_port.value_or(rport)}}},
                              {"retries_left", c->verdict->retries_left()},
                              {"timing",
                               {{"delay_loop", secs(t.delay_loop)},
                                {"connect_timeout", secs(t.connect_timeout)},
                                {"delay_before_retry", secs(t.delay_before_retry)},
                                {"warmup", secs(t.warmup)},
                                {"retry", t.retry},
                                {"alpha", t.alpha}}}});
        }
        servers.push_back({{"address", r.conf->address.ToString()},
                           {"port", rport},
                           {"conf_index", r.conf - v->conf->real_servers.data()},
                           {"alive", r.alive},
                           {"disabled", r.disabled},
                           {"transitions", r.transitions},
                           {"weight", weights[i]},
                           {"checkers", checkers}});
      }
      nlohmann::json services = nlohmann::json::array();
      for (const auto& s : table) {
        for (const auto& k : v->keys) {
          if (!(s.key == k)) continue;
          nlohmann::json dests = nlohmann::json::array();
          for (const auto& d : s.destinations) {
            dests.push_back(
                {{"address", d.address.ToString()}, {"port", d.port}, {"weight", d.weight}});
          }
          services.push_back(
              {{"service", ServiceText(k)}, {"scheduler", s.scheduler}, {"destinations", dests}});
        }
      }
      doc["virtual_servers"].push_back({{"name", v->text},
                                        {"conf_index", v->conf_index},
                                        {"quorum", v->quorum},
                                        {"suspended", v->suspended},
                                        {"live_weight", v->live_weight},
                                        {"real_servers", servers},
                                        {"programmed", services}});
    }
    return doc.dump();
  }
};

CheckEngine::CheckEngine(asio::io_context& io, const model::Config& config)
    : impl_(std::make_unique<Impl>(io, config)) {}
CheckEngine::~CheckEngine() = default;
bool CheckEngine::Start() { return impl_->Start(); }
bool CheckEngine::TakeOver(CheckEngine& previous) { return impl_->TakeOver(*previous.impl_); }
void CheckEngine::KeepTableOnStop() { impl_->keep_table_on_stop = true; }
void CheckEngine::Shutdown(std::function<void()> done) { impl_->Shutdown(std::move(done)); }
std::string CheckEngine::StatusJson() const { return impl_->StatusJson(); }
std::string CheckEngine::SetRealServer(const std::string& vs, const std::string& address, int port,
                                       bool enabled) {
  return impl_->SetRealServer(vs, address, port, enabled);
}

}  // namespace vigil::daemon
