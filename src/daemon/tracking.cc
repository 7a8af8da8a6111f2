#include "daemon/tracking.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "daemon/process_tracker.h"
#include "daemon/script_runas.h"
#include "os/linux/netlink.h"
#include "os/linux/process.h"

namespace vigil::daemon {

namespace asio = boost::asio;

namespace {

// A script that outlives its timeout gets SIGTERM, then SIGKILL this much later.
constexpr auto kKillGrace = std::chrono::seconds(1);

int64_t ReadValue(const std::string& file) {
  std::ifstream in(file);
  std::string text;
  if (!in || !std::getline(in, text)) return 0;
  return std::strtoll(text.c_str(), nullptr, 10);
}

}  // namespace

struct Tracking::Impl {
  enum class Kind { kInterface, kScript, kFile, kProcess };
  struct Ref {
    Kind kind;
    size_t object;
    int weight;
    bool reverse;
  };
  struct InterfaceRt {
    std::string name;
    int ifindex = 0;
    bool up = false;
    std::vector<size_t> users;
  };
  struct ScriptRt {
    const model::VrrpScriptConf* conf;
    vrrp::ScriptVerdict verdict;
    std::optional<os::Credentials> creds;
    bool refused = false;  // enable_script_security: never run, counts as failed
    std::optional<os::Child> child;
    std::unique_ptr<asio::posix::stream_descriptor> watch;
    std::unique_ptr<asio::steady_timer> every, deadline;
    bool timed_out = false;
    uint64_t runs = 0, failures = 0, timeouts = 0, skipped = 0;
    int last_status = -1;
    std::vector<size_t> users;
  };
  struct FileRt {
    const model::TrackFileConf* conf;
    std::string dir, base;
    int64_t value = 0;
    std::vector<size_t> users;
  };

  asio::io_context& io;
  const model::Config& config;
  Changed changed;
  std::vector<InterfaceRt> interfaces;
  std::vector<std::unique_ptr<ScriptRt>> scripts;
  std::vector<FileRt> files;
  ProcessTracker processes;
  std::vector<std::vector<size_t>> process_users;  // by ProcessTracker object
  std::map<size_t, std::vector<Ref>> refs;         // by instance
  std::map<size_t, vrrp::EffectivePriority> last;
  std::map<size_t, int> base;
  int inotify_fd = -1;
  std::unique_ptr<asio::posix::stream_descriptor> inotify_watch;
  bool stopped = false;

  Impl(asio::io_context& i, const model::Config& c, Changed ch)
      : io(i),
        config(c),
        changed(std::move(ch)),
        processes(i, [this](size_t object) { Recompute(process_users[object]); }) {}

  ~Impl() {
    if (inotify_fd >= 0) ::close(inotify_fd);
  }

  size_t InterfaceFor(const std::string& name) {
    for (size_t i = 0; i < interfaces.size(); ++i) {
      if (interfaces[i].name == name) return i;
    }
    InterfaceRt rt;
    rt.name = name;
    if (auto info = os::LookupInterface(name)) {
      rt.ifindex = info->ifindex;
      rt.up = info->up;
    } else {
      spdlog::warn("tracked interface {} not found; it counts as down", name);
    }
    interfaces.push_back(rt);
    return interfaces.size() - 1;
  }

  struct Carry {
    model::VrrpScriptConf conf;
    vrrp::ScriptVerdict verdict;
    uint64_t runs, failures, timeouts, skipped;
    int last_status;
  };
  std::map<std::string, Carry> seeded;  // a reload's, by script name

  std::optional<size_t> ScriptFor(const std::string& name) {
    for (size_t i = 0; i < scripts.size(); ++i) {
      if (scripts[i]->conf->name == name) return i;
    }
    for (const auto& s : config.vrrp_scripts) {
      if (s.name != name) continue;
      auto rt = std::make_unique<ScriptRt>(
          ScriptRt{&s, vrrp::ScriptVerdict(s.rise, s.fall, s.init_fail)});
      auto run_as =
          ResolveRunAs(s.script.argv.empty() ? "" : s.script.argv[0], s.user, config.global);
      rt->creds = run_as.credentials;
      if (run_as.refused) {
        spdlog::error("VRRP_Script({}) {}; it will not run and counts as failed", name, run_as.why);
        rt->refused = true;
      }
      if (rt->refused) rt->verdict = vrrp::ScriptVerdict(1, 1, true);
      if (auto c = seeded.find(name); c != seeded.end() && !rt->refused && c->second.conf == s) {
        rt->verdict = c->second.verdict;
        rt->runs = c->second.runs;
        rt->failures = c->second.failures;
        rt->timeouts = c->second.timeouts;
        rt->skipped = c->second.skipped;
        rt->last_status = c->second.last_status;
      }
      scripts.push_back(std::move(rt));
      return scripts.size() - 1;
    }
    return std::nullopt;
  }

  std::optional<size_t> FileFor(const std::string& name) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].conf->name == name) return i;
    }
    for (const auto& f : config.track_files) {
      if (f.name != name) continue;
      FileRt rt{&f};
      auto slash = f.file.rfind('/');
      rt.dir = slash == std::string::npos ? "." : slash == 0 ? "/" : f.file.substr(0, slash);
      rt.base = slash == std::string::npos ? f.file : f.file.substr(slash + 1);
      if (f.init_file) {
        // init_file [VALUE] [overwrite]: create the file (or rewrite it) with VALUE (0).
        std::string value = "0";
        bool overwrite = false;
        for (const auto& w : *f.init_file) {
          if (w == "overwrite") {
            overwrite = true;
          } else {
            value = w;
          }
        }
        struct stat st {};
        if (overwrite || ::stat(f.file.c_str(), &st) != 0) std::ofstream(f.file) << value << "\n";
      }
      rt.value = ReadValue(f.file);
      files.push_back(rt);
      return files.size() - 1;
    }
    return std::nullopt;
  }

  vrrp::EffectivePriority Compute(size_t index) {
    std::vector<vrrp::TrackedState> states;
    std::vector<vrrp::TrackedValue> values;
    for (const auto& r : refs[index]) {
      switch (r.kind) {
        case Kind::kInterface:
          states.push_back({"interface " + interfaces[r.object].name, r.weight, r.reverse,
                            interfaces[r.object].up});
          break;
        case Kind::kScript:
          states.push_back({"script " + scripts[r.object]->conf->name, r.weight, r.reverse,
                            scripts[r.object]->verdict.ok()});
          break;
        case Kind::kFile:
          values.push_back(
              {"file " + files[r.object].conf->file, r.weight, r.reverse, files[r.object].value});
          break;
        case Kind::kProcess:
          states.push_back({"process " + processes.conf(r.object).name, r.weight, r.reverse,
                            processes.up(r.object)});
          break;
      }
    }
    return vrrp::ComputePriority(base[index], states, values);
  }

  void Recompute(const std::vector<size_t>& users) {
    for (size_t index : users) {
      auto now = Compute(index);
      if (now == last[index]) continue;
      last[index] = now;
      changed(index, now);
    }
  }

  vrrp::EffectivePriority Add(size_t index, const model::VrrpInstanceConf& conf,
                              const model::SyncGroupConf* group) {
    base[index] = conf.priority;
    AddLists(index, conf.name, conf.track, false);
    // keepalived: what a vrrp_sync_group tracks, every member tracks; a failure puts the
    // group in FAULT (weights count only with sync_group_tracking_weight).
    if (group) AddLists(index, conf.name, group->track, !group->sync_group_tracking_weight);
    last[index] = Compute(index);
    return last[index];
  }

  void AddLists(size_t index, const std::string& owner, const model::TrackLists& track,
                bool weight_zero) {
    auto& list = refs[index];
    auto weight = [&](const model::TrackRef& t, int own) {
      return weight_zero ? 0 : t.weight.value_or(own);
    };
    for (const auto& t : track.interfaces) {
      size_t i = InterfaceFor(t.name);
      interfaces[i].users.push_back(index);
      list.push_back({Kind::kInterface, i, weight(t, 0), t.reverse});
    }
    for (const auto& t : track.scripts) {
      auto i = ScriptFor(t.name);
      if (!i) {
        spdlog::error("({}) track_script {} has no vrrp_script; ignored", owner, t.name);
        continue;
      }
      scripts[*i]->users.push_back(index);
      const auto* sc = scripts[*i]->conf;
      list.push_back(
          {Kind::kScript, *i, weight(t, sc->weight), t.weight ? t.reverse : sc->weight_reverse});
    }
    for (const auto& t : track.files) {
      auto i = FileFor(t.name);
      if (!i) {
        spdlog::error("({}) track_file {} has no track_file block; ignored", owner, t.name);
        continue;
      }
      files[*i].users.push_back(index);
      const auto* fc = files[*i].conf;
      list.push_back(
          {Kind::kFile, *i, weight(t, fc->weight), t.weight ? t.reverse : fc->weight_reverse});
    }
    for (const auto& t : track.processes) {
      const model::TrackProcessConf* pc = nullptr;
      for (const auto& c : config.track_processes) {
        if (c.name == t.name) pc = &c;
      }
      if (!pc) {
        spdlog::error("({}) track_process {} has no vrrp_track_process; ignored", owner, t.name);
        continue;
      }
      size_t i = processes.Add(*pc);
      if (process_users.size() <= i) process_users.resize(i + 1);
      process_users[i].push_back(index);
      list.push_back(
          {Kind::kProcess, i, weight(t, pc->weight), t.weight ? t.reverse : pc->weight_reverse});
    }
  }

  // ---- scripts ----

  void Schedule(ScriptRt& s, std::chrono::steady_clock::duration after) {
    if (!s.every) s.every = std::make_unique<asio::steady_timer>(io);
    s.every->expires_after(after);
    ScriptRt* p = &s;
    s.every->async_wait([this, p](const boost::system::error_code& ec) {
      if (ec || stopped) return;
      Run(*p);
      Schedule(*p, p->conf->interval);
    });
  }

  void Record(ScriptRt& s, bool success, const char* what) {
    if (!success) ++s.failures;
    if (!s.verdict.Record(success)) return;
    if (s.verdict.ok()) {
      spdlog::info("VRRP_Script({}) succeeded", s.conf->name);
    } else {
      spdlog::info("VRRP_Script({}) failed ({})", s.conf->name, what);
    }
    Recompute(s.users);
  }

  void Run(ScriptRt& s) {
    if (s.refused) return;
    if (s.child) {  // the previous run has not ended: never two at once
      ++s.skipped;
      return;
    }
    std::string err;
    auto child = os::Child::Spawn(s.conf->script.argv, s.creds, &err);
    ++s.runs;
    if (!child) {
      spdlog::warn("VRRP_Script({}) cannot start: {}", s.conf->name, err);
      Record(s, false, "cannot start");
      return;
    }
    s.child.emplace(std::move(*child));
    s.timed_out = false;
    s.watch = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(s.child->pidfd()));
    ScriptRt* p = &s;
    s.watch->async_wait(asio::posix::stream_descriptor::wait_read,
                        [this, p](const boost::system::error_code& ec) {
                          if (ec) return;
                          Ended(*p);
                        });
    if (!s.deadline) s.deadline = std::make_unique<asio::steady_timer>(io);
    s.deadline->expires_after(s.conf->timeout.value_or(s.conf->interval));
    s.deadline->async_wait([this, p](const boost::system::error_code& ec) {
      if (ec || !p->child) return;
      // Timed out: a failure now; the child is asked to stop, then killed.
      p->timed_out = true;
      ++p->timeouts;
      p->child->Signal(SIGTERM);
      Record(*p, false, "timed out");
      p->deadline->expires_after(kKillGrace);
      p->deadline->async_wait([p](const boost::system::error_code& e) {
        if (!e && p->child) p->child->Signal(SIGKILL);
      });
    });
  }

  void Ended(ScriptRt& s) {
    auto status = s.child->TryReap();
    if (!status) {  // not ended after all: wait again
      ScriptRt* p = &s;
      s.watch->async_wait(asio::posix::stream_descriptor::wait_read,
                          [this, p](const boost::system::error_code& ec) {
                            if (!ec) Ended(*p);
                          });
      return;
    }
    s.child.reset();
    s.watch.reset();
    if (s.deadline) s.deadline->cancel();
    s.last_status = *status;
    if (s.timed_out) return;  // already counted as a failure
    Record(s, *status == 0, ("exited with status " + std::to_string(*status)).c_str());
  }

  // ---- files ----

  void WatchFiles() {
    if (files.empty()) return;
    inotify_fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (inotify_fd < 0) {
      spdlog::error("track_file: inotify: {}", std::strerror(errno));
      return;
    }
    std::map<std::string, bool> dirs;
    for (const auto& f : files) {
      if (dirs[f.dir]) continue;
      dirs[f.dir] = true;
      if (::inotify_add_watch(
              inotify_fd, f.dir.c_str(),
              IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE) < 0) {
        spdlog::error("track_file: cannot watch {}: {}", f.dir, std::strerror(errno));
      }
    }
    inotify_watch = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(inotify_fd));
    WaitFiles();
  }

  void WaitFiles() {
    inotify_watch->async_wait(
        asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
          if (ec || stopped) return;
          alignas(inotify_event) char buf[4096];
          while (::read(inotify_fd, buf, sizeof buf) > 0) {
          }
          // Re-read every tracked file: cheap, and robust to renames.
          for (auto& f : files) {
            int64_t v = ReadValue(f.conf->file);
            if (v == f.value) continue;
            spdlog::info("track_file {} ({}) now {}", f.conf->name, f.conf->file, v);
            f.value = v;
            Recompute(f.users);
          }
          WaitFiles();
        });
  }

  void Start() {
    for (auto& s : scripts) {
      if (!s->refused) Schedule(*s, std::chrono::seconds(0));
    }
    WatchFiles();
    processes.Start();
  }

  void Stop() {
    stopped = true;
    for (auto& s : scripts) {
      if (s->every) s->every->cancel();
      if (s->deadline) s->deadline->cancel();
      if (s->watch) s->watch->cancel();
      if (s->child) s->child->Signal(SIGTERM);
    }
    if (inotify_watch) inotify_watch->cancel();
    processes.Stop();
  }

  void LinkChanged(int ifindex, bool up) {
    for (auto& i : interfaces) {
      if (i.ifindex != ifindex || i.up == up) continue;
      i.up = up;
      spdlog::info("Netlink reports {} {}", i.name, up ? "up" : "down");
      Recompute(i.users);
    }
  }

  nlohmann::json Status(size_t index) const {
    nlohmann::json a = nlohmann::json::array();
    auto it = refs.find(index);
    if (it == refs.end()) return a;
    for (const auto& r : it->second) {
      nlohmann::json j{{"weight", r.weight}, {"reverse", r.reverse}};
      switch (r.kind) {
        case Kind::kInterface:
          j["type"] = "interface";
          j["name"] = interfaces[r.object].name;
          j["up"] = interfaces[r.object].up;
          break;
        case Kind::kScript: {
          const auto& s = *scripts[r.object];
          j["type"] = "script";
          j["name"] = s.conf->name;
          j["up"] = s.verdict.ok();
          j["runs"] = s.runs;
          j["failures"] = s.failures;
          j["timeouts"] = s.timeouts;
          j["skipped"] = s.skipped;
          j["running"] = s.child.has_value();
          j["last_status"] = s.last_status;
          j["refused"] = s.refused;
          break;
        }
        case Kind::kFile:
          j["type"] = "file";
          j["name"] = files[r.object].conf->name;
          j["value"] = files[r.object].value;
          break;
        case Kind::kProcess:
          j["type"] = "process";
          j["name"] = processes.conf(r.object).name;
          j["up"] = processes.up(r.object);
          j["count"] = processes.count(r.object);
          j["events"] = processes.using_connector() ? "connector" : "rescan";
          break;
      }
      a.push_back(j);
    }
    return a;
  }
};

Tracking::Tracking(asio::io_context& io, const model::Config& config, Changed changed)
    : impl_(std::make_unique<Impl>(io, config, std::move(changed))) {}
Tracking::~Tracking() = default;
vrrp::EffectivePriority Tracking::Add(size_t index, const model::VrrpInstanceConf& conf,
                                      const model::SyncGroupConf* group) {
  return impl_->Add(index, conf, group);
}
void Tracking::Start() { impl_->Start(); }
struct Tracking::ScriptStates {
  std::map<std::string, Impl::Carry> by_name;
};
std::shared_ptr<const Tracking::ScriptStates> Tracking::Scripts() const {
  auto out = std::make_shared<ScriptStates>();
  for (const auto& s : impl_->scripts) {
    out->by_name.emplace(s->conf->name, Impl::Carry{*s->conf, s->verdict, s->runs, s->failures,
                                                    s->timeouts, s->skipped, s->last_status});
  }
  return out;
}
void Tracking::SeedScripts(std::shared_ptr<const ScriptStates> states) {
  if (states) impl_->seeded = states->by_name;
}
void Tracking::LinkChanged(int ifindex, bool up) { impl_->LinkChanged(ifindex, up); }
void Tracking::Stop() { impl_->Stop(); }
nlohmann::json Tracking::Status(size_t index) const { return impl_->Status(index); }

}  // namespace vigil::daemon
