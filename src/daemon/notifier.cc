#include "daemon/notifier.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <list>
#include <sstream>

#include "base/rate_limit.h"
#include "daemon/script_runas.h"
#include "os/linux/process.h"

namespace vigil::daemon {

namespace asio = boost::asio;

namespace {

// A FIFO's queue beyond this many bytes (a reader that stopped reading) drops the oldest
// lines, counted and logged, rather than growing without bound.
constexpr size_t kFifoQueueLimit = 1 << 20;
// How long a stopping daemon waits for its notify scripts.
constexpr auto kStopGrace = std::chrono::seconds(2);

std::string FirstWord(const std::string& s) {
  std::istringstream in(s);
  std::string w;
  in >> w;
  return w;
}

}  // namespace

struct Notifier::Impl {
  struct Running {
    os::Child child;
    std::unique_ptr<asio::posix::stream_descriptor> watch;
  };
  struct Fifo {
    std::string path;
    int fd = -1;
    std::unique_ptr<asio::posix::stream_descriptor> out;
    std::deque<std::string> queue;
    size_t queued = 0, offset = 0;  // bytes queued; bytes of the front line already written
    bool waiting = false;
    uint64_t dropped = 0;
  };

  asio::io_context& io;
  const model::Config& config;
  std::list<Running> running;
  std::vector<std::unique_ptr<Fifo>> fifos;
  base::RateLimit warnings{10, std::chrono::seconds(10)};
  bool stopped = false;
  std::function<void()> on_idle;
  std::unique_ptr<asio::steady_timer> grace;

  Impl(asio::io_context& i, const model::Config& c, Notifier::Side sd)
      : io(i), config(c), side(sd) {}
  Notifier::Side side;

  ~Impl() {
    for (auto& f : fifos) {
      if (f->fd >= 0) ::close(f->fd);
    }
  }

  void Warn(const std::string& what) {
    uint64_t suppressed = 0;
    if (warnings.Allow(std::chrono::steady_clock::now(), &suppressed)) {
      spdlog::warn("{}{}", what,
                   suppressed ? fmt::format(" ({} similar warnings suppressed)", suppressed)
                              : std::string());
    }
  }

  void Run(const model::Script& script, std::vector<std::string> extra) {
    if (script.argv.empty() || stopped) return;
    std::string user_group = script.user + (script.group.empty() ? "" : " " + script.group);
    auto run_as = ResolveRunAs(script.argv[0], user_group, config.global);
    if (run_as.refused) {
      Warn("notify script " + script.argv[0] + " not run: " + run_as.why);
      return;
    }
    std::vector<std::string> argv = script.argv;
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::string err;
    auto child = os::Child::Spawn(argv, run_as.credentials, &err);
    if (!child) {
      Warn("notify script " + script.argv[0] + " cannot start: " + err);
      return;
    }
    running.push_back(Running{std::move(*child), nullptr});
    auto it = std::prev(running.end());
    it->watch = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(it->child.pidfd()));
    Watch(it);
  }

  void Watch(std::list<Running>::iterator it) {
    it->watch->async_wait(asio::posix::stream_descriptor::wait_read,
                          [this, it](const boost::system::error_code& ec) {
                            if (ec) return;
                            if (!it->child.TryReap()) return Watch(it);
                            running.erase(it);
                            if (running.empty() && on_idle) Idle();
                          });
  }

  void OpenFifo(const std::string& spec, const std::optional<model::Script>& consumer) {
    std::string path = FirstWord(spec);
    if (path.empty()) return;
    for (const auto& f : fifos) {
      if (f->path == path) return;  // notify_fifo and vrrp_notify_fifo may be one FIFO
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      if (::mkfifo(path.c_str(), 0600) != 0) {
        spdlog::error("notify FIFO {}: mkfifo: {}", path, std::strerror(errno));
        return;
      }
    } else if (!S_ISFIFO(st.st_mode)) {
      spdlog::error("notify FIFO {} exists and is not a FIFO; not used", path);
      return;
    }
    auto f = std::make_unique<Fifo>();
    f->path = path;
    // Read-write: the open never blocks and writes never fail for want of a reader.
    f->fd = ::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
    if (f->fd < 0) {
      spdlog::error("notify FIFO {}: {}", path, std::strerror(errno));
      return;
    }
    f->out = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(f->fd));
    fifos.push_back(std::move(f));
    if (consumer) Run(*consumer, {path});
  }

  void Write(Fifo& f, std::string line) {
    f.queued += line.size();
    f.queue.push_back(std::move(line));
    while (f.queued > kFifoQueueLimit && f.queue.size() > 1) {
      f.queued -= f.queue.front().size() - f.offset;
      f.queue.pop_front();
      f.offset = 0;
      ++f.dropped;
      Warn("notify FIFO " + f.path + ": reader too slow, " + std::to_string(f.dropped) +
           " lines dropped");
    }
    Flush(f);
  }

  void Flush(Fifo& f) {
    while (!f.queue.empty() && !f.waiting) {
      const std::string& line = f.queue.front();
      ssize_t n = ::write(f.fd, line.data() + f.offset, line.size() - f.offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
          Warn("notify FIFO " + f.path + ": " + std::strerror(errno));
          return;
        }
        f.waiting = true;
        Fifo* p = &f;
        f.out->async_wait(asio::posix::stream_descriptor::wait_write,
                          [this, p](const boost::system::error_code& ec) {
                            p->waiting = false;
                            if (!ec) Flush(*p);
                          });
        return;
      }
      f.offset += static_cast<size_t>(n);
      if (f.offset == line.size()) {
        f.queued -= line.size();
        f.queue.pop_front();
        f.offset = 0;
      }
    }
  }

  void Start() {
    const auto& g = config.global;
    if (side == Notifier::Side::kVrrp) {
      OpenFifo(g.notify_fifo, g.notify_fifo_script);
      OpenFifo(g.vrrp_notify_fifo, g.vrrp_notify_fifo_script);
      return;
    }
    // The checker's side shares notify_fifo with the VRRP side, whose consumer reads it.
    OpenFifo(g.notify_fifo, config.HasVrrp() ? std::nullopt : g.notify_fifo_script);
    OpenFifo(g.lvs_notify_fifo, g.lvs_notify_fifo_script);
  }

  void Line(std::string line) {
    if (stopped) return;
    line += "\n";
    for (auto& f : fifos) Write(*f, line);
  }

  // keepalived's order for one state change of an instance or a group: the state's own
  // script, the generic `notify` with TYPE NAME STATE PRIORITY, then the FIFO line
  //   TYPE "NAME" STATE PRIORITY
  void StateChange(const model::NotifyScripts& n, const char* type, const std::string& name,
                   std::string_view state, int priority) {
    const std::optional<model::Script>* specific = nullptr;
    if (state == "MASTER") specific = &n.master;
    if (state == "BACKUP") specific = &n.backup;
    if (state == "FAULT") specific = &n.fault;
    if (state == "STOP") specific = &n.stop;
    if (state == "DELETED") specific = &n.deleted;
    if (specific && *specific) Run(**specific, {});
    if (n.generic) Run(*n.generic, {type, name, std::string(state), std::to_string(priority)});
    std::string line = std::string(type) + " \"" + name + "\" " + std::string(state) + " " +
                       std::to_string(priority) + "\n";
    for (auto& f : fifos) Write(*f, line);
  }

  void InstanceState(const model::VrrpInstanceConf& conf, std::string_view state, int priority) {
    StateChange(conf.notify.get(), "INSTANCE", conf.name, state, priority);
  }

  // Groups carry priority 0, as keepalived 2.2.7 writes them.
  void GroupState(const model::SyncGroupConf& g, std::string_view state) {
    StateChange(g.notify.get(), "GROUP", g.name, state, 0);
  }

  void Line(const model::VrrpInstanceConf& conf, const std::string& what, int priority) {
    std::string line =
        "INSTANCE \"" + conf.name + "\" " + what + " " + std::to_string(priority) + "\n";
    for (auto& f : fifos) Write(*f, line);
  }

  void MasterRxLowerPri(const model::VrrpInstanceConf& conf, int priority) {
    const model::NotifyScripts& n = conf.notify.get();
    if (n.master_rx_lower_pri) Run(*n.master_rx_lower_pri, {});
    Line(conf, "MASTER_RX_LOWER_PRI", priority);
  }

  // notify_priority_changes: the instance's, else its sync group's, else global_defs'
  // vrrp_notify_priority_changes.
  bool WantsPriorityChanges(const model::VrrpInstanceConf& conf) const {
    if (conf.tuning->notify_priority_changes) return *conf.tuning->notify_priority_changes;
    const auto* g = model::SyncGroupOf(config, conf.name);
    if (g && g->notify_priority_changes) return *g->notify_priority_changes;
    return model::ExtraFlag(config.global.extra, "vrrp_notify_priority_changes");
  }

  void PriorityChanged(const model::VrrpInstanceConf& conf, std::string_view state, int priority) {
    if (!WantsPriorityChanges(conf)) return;
    if (state != "MASTER" && state != "BACKUP") return;
    std::string what = std::string(state) + "_PRIORITY";
    if (conf.notify->generic) {
      Run(*conf.notify->generic, {"INSTANCE", conf.name, what, std::to_string(priority)});
    }
    Line(conf, what, priority);
  }

  void Stop(std::function<void()> done) {
    stopped = true;
    on_idle = std::move(done);
    if (running.empty()) return Idle();
    grace = std::make_unique<asio::steady_timer>(io, kStopGrace);
    grace->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto& r : running) r.child.Signal(SIGTERM);
      Idle();
    });
  }

  void Idle() {
    if (grace) grace->cancel();
    auto done = std::move(on_idle);
    on_idle = nullptr;
    if (done) done();
  }
};

Notifier::Notifier(asio::io_context& io, const model::Config& config, Side side)
    : impl_(std::make_unique<Impl>(io, config, side)) {}
void Notifier::RunScript(const model::Script& script) { impl_->Run(script, {}); }
void Notifier::FifoLine(std::string line) { impl_->Line(std::move(line)); }
Notifier::~Notifier() = default;
void Notifier::Start() { impl_->Start(); }
void Notifier::InstanceState(const model::VrrpInstanceConf& conf, std::string_view state,
                             int priority) {
  impl_->InstanceState(conf, state, priority);
}
void Notifier::GroupState(const model::SyncGroupConf& group, std::string_view state) {
  impl_->GroupState(group, state);
}
void Notifier::MasterRxLowerPri(const model::VrrpInstanceConf& conf, int priority) {
  impl_->MasterRxLowerPri(conf, priority);
}
void Notifier::PriorityChanged(const model::VrrpInstanceConf& conf, std::string_view state,
                               int priority) {
  impl_->PriorityChanged(conf, state, priority);
}
void Notifier::Stop(std::function<void()> done) { impl_->Stop(std::move(done)); }

}  // namespace vigil::daemon
