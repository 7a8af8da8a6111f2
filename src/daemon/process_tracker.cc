#include "daemon/process_tracker.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <set>

#include "os/linux/proc_events.h"
#include "vrrp/track.h"

namespace vigil::daemon {

namespace asio = boost::asio;

namespace {

constexpr auto kRescanEvery = std::chrono::seconds(1);

vrrp::ProcessPattern PatternOf(const model::TrackProcessConf& c) {
  vrrp::ProcessPattern p;
  p.process = c.process;
  p.parameters = c.parameters;
  p.param_match = c.param_match == "initial"   ? vrrp::ProcessPattern::ParamMatch::kInitial
                  : c.param_match == "partial" ? vrrp::ProcessPattern::ParamMatch::kPartial
                                               : vrrp::ProcessPattern::ParamMatch::kExact;
  p.full_command = c.full_command;
  return p;
}

}  // namespace

struct ProcessTracker::Impl {
  struct Tracked {
    const model::TrackProcessConf* conf;
    vrrp::ProcessPattern pattern;
    std::set<int> pids;
    bool up = false;
    std::unique_ptr<asio::steady_timer> delay;  // a change waiting for its delay
    bool waiting = false;                       // `delay` is armed
  };
  asio::io_context& io;
  Changed changed;
  std::vector<std::unique_ptr<Tracked>> tracked;
  std::optional<os::ProcConnector> connector;
  std::unique_ptr<asio::posix::stream_descriptor> watch;
  std::unique_ptr<asio::steady_timer> rescan;
  bool stopped = false;

  Impl(asio::io_context& i, Changed c) : io(i), changed(std::move(c)) {}

  bool Met(const Tracked& t) const {
    return vrrp::ProcessQuorumMet(static_cast<int>(t.pids.size()), t.conf->quorum,
                                  t.conf->quorum_max);
  }

  // One process looked at again: joins or leaves each pattern's set.
  void Look(int pid, std::vector<Tracked*>& touched) {
    auto info = os::ReadProcess(pid);
    for (auto& t : tracked) {
      bool match = info && vrrp::ProcessMatches(t->pattern, info->comm, info->argv);
      bool had = t->pids.count(pid) > 0;
      if (match == had) continue;
      if (match) {
        t->pids.insert(pid);
      } else {
        t->pids.erase(pid);
      }
      touched.push_back(t.get());
    }
  }

  void Forget(int pid, std::vector<Tracked*>& touched) {
    for (auto& t : tracked) {
      if (t->pids.erase(pid)) touched.push_back(t.get());
    }
  }

  void Scan(std::vector<Tracked*>& touched) {
    std::vector<std::set<int>> found(tracked.size());
    for (int pid : os::ListProcesses()) {
      auto info = os::ReadProcess(pid);
      if (!info) continue;
      for (size_t i = 0; i < tracked.size(); ++i) {
        if (vrrp::ProcessMatches(tracked[i]->pattern, info->comm, info->argv)) found[i].insert(pid);
      }
    }
    for (size_t i = 0; i < tracked.size(); ++i) {
      if (found[i] == tracked[i]->pids) continue;
      tracked[i]->pids = std::move(found[i]);
      touched.push_back(tracked[i].get());
    }
  }

  // keepalived's delays: a loss of quorum counts after terminate_delay, a gain after
  // fork_delay (`delay` sets both); a change that reverts meanwhile never counts.
  void Settle(Tracked& t) {
    bool met = Met(t);
    if (met == t.up) {
      if (t.waiting) t.delay->cancel();
      t.waiting = false;
      return;
    }
    auto d = met ? t.conf->fork_delay.value_or(t.conf->delay.value_or(base::Duration{0}))
                 : t.conf->terminate_delay.value_or(t.conf->delay.value_or(base::Duration{0}));
    if (d.count() == 0) return Apply(t, met);
    if (!t.delay) t.delay = std::make_unique<asio::steady_timer>(io);
    if (t.waiting) return;  // the change is already waiting for its delay
    t.waiting = true;
    t.delay->expires_after(d);
    Tracked* p = &t;
    t.delay->async_wait([this, p](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      p->waiting = false;
      if (Met(*p) != p->up) Apply(*p, Met(*p));
    });
  }

  void Apply(Tracked& t, bool up) {
    t.up = up;
    spdlog::info("Track_process({}) {} ({} process{})", t.conf->name,
                 up ? "quorum gained" : "quorum lost", t.pids.size(),
                 t.pids.size() == 1 ? "" : "es");
    for (size_t i = 0; i < tracked.size(); ++i) {
      if (tracked[i].get() == &t) changed(i);
    }
  }

  void Settle(const std::vector<Tracked*>& touched) {
    for (auto* t : touched) Settle(*t);
  }

  size_t Add(const model::TrackProcessConf& conf) {
    for (size_t i = 0; i < tracked.size(); ++i) {
      if (tracked[i]->conf->name == conf.name) return i;
    }
    auto t = std::make_unique<Tracked>();
    t->conf = &conf;
    t->pattern = PatternOf(conf);
    for (int pid : os::ListProcesses()) {
      auto info = os::ReadProcess(pid);
      if (info && vrrp::ProcessMatches(t->pattern, info->comm, info->argv)) t->pids.insert(pid);
    }
    t->up = Met(*t);
    tracked.push_back(std::move(t));
    return tracked.size() - 1;
  }

  void Start() {
    if (tracked.empty()) return;
    std::string err;
    if (auto c = os::ProcConnector::Open(&err)) {
      connector.emplace(std::move(*c));
      watch = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(connector->fd()));
      Wait();
      // Anything that started between the first scan and the subscription.
      std::vector<Tracked*> touched;
      Scan(touched);
      Settle(touched);
    } else {
      spdlog::info("track_process: {}; rescanning /proc every {} s instead", err,
                   std::chrono::duration_cast<std::chrono::seconds>(kRescanEvery).count());
      Rescan();
    }
  }

  void Wait() {
    watch->async_wait(asio::posix::stream_descriptor::wait_read,
                      [this](const boost::system::error_code& ec) {
                        if (ec || stopped) return;
                        bool overrun = false;
                        std::vector<Tracked*> touched;
                        for (const auto& e : connector->Read(&overrun)) {
                          if (e.kind == os::ProcConnector::Event::Kind::kExit) {
                            Forget(e.pid, touched);
                          } else {
                            Look(e.pid, touched);
                          }
                        }
                        if (overrun) {
                          spdlog::warn("track_process: process events lost; rescanning /proc");
                          Scan(touched);
                        }
                        Settle(touched);
                        Wait();
                      });
  }

  void Rescan() {
    if (!rescan) rescan = std::make_unique<asio::steady_timer>(io);
    rescan->expires_after(kRescanEvery);
    rescan->async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      std::vector<Tracked*> touched;
      Scan(touched);
      Settle(touched);
      Rescan();
    });
  }

  void Stop() {
    stopped = true;
    if (watch) watch->cancel();
    if (rescan) rescan->cancel();
    for (auto& t : tracked) {
      if (t->delay) t->delay->cancel();
    }
  }
};

ProcessTracker::ProcessTracker(asio::io_context& io, Changed changed)
    : impl_(std::make_unique<Impl>(io, std::move(changed))) {}
ProcessTracker::~ProcessTracker() = default;
size_t ProcessTracker::Add(const model::TrackProcessConf& conf) { return impl_->Add(conf); }
void ProcessTracker::Start() { impl_->Start(); }
void ProcessTracker::Stop() { impl_->Stop(); }
bool ProcessTracker::up(size_t i) const { return impl_->tracked[i]->up; }
int ProcessTracker::count(size_t i) const {
  return static_cast<int>(impl_->tracked[i]->pids.size());
}
const model::TrackProcessConf& ProcessTracker::conf(size_t i) const {
  return *impl_->tracked[i]->conf;
}
bool ProcessTracker::using_connector() const { return impl_->connector.has_value(); }

}  // namespace vigil::daemon
