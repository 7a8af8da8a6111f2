#include "daemon/supervisor.h"

#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/rate_limit.h"
#include "control/metrics.h"
#include "daemon/control_server.h"
#include "daemon/metrics_server.h"
#include "daemon/respawn.h"
#include "os/linux/daemon_process.h"
#include "os/linux/systemd.h"

namespace vigil::daemon {

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;

std::string ChildControlSocket(const std::string& control_socket, const std::string& role) {
  return control_socket + "." + role;
}

std::string ReloadSnapshotPath(const std::string& control_socket) {
  return control_socket + ".config";
}

namespace {

constexpr auto kQueryTimeout = std::chrono::seconds(3);
constexpr auto kReloadTimeout = std::chrono::seconds(60);
constexpr size_t kMaxReply = 64u << 20;

// One request to a child's control socket, answered once: the reply, or nullopt if the child
// does not answer in time (it is starting, stuck, or gone).
class ChildQuery : public std::enable_shared_from_this<ChildQuery> {
 public:
  using Done = std::function<void(std::optional<std::string>)>;
  ChildQuery(asio::io_context& io, std::string path, std::string request, Done done,
             std::chrono::seconds timeout = kQueryTimeout)
      : sock_(io),
        timer_(io),
        path_(std::move(path)),
        out_(std::move(request) + "\n"),
        done_(std::move(done)),
        timeout_(timeout) {}
  void Run() {
    auto self = shared_from_this();
    timer_.expires_after(timeout_);
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->End(false);
    });
    sock_.async_connect(Proto::endpoint(path_), [self](const boost::system::error_code& ec) {
      if (ec) return self->End(false);
      asio::async_write(self->sock_, asio::buffer(self->out_),
                        [self](const boost::system::error_code& ec, size_t) {
                          if (ec) return self->End(false);
                          self->Read();
                        });
    });
  }

 private:
  void Read() {
    auto self = shared_from_this();
    sock_.async_read_some(asio::buffer(buf_),
                          [self](const boost::system::error_code& ec, size_t n) {
                            self->in_.append(self->buf_.data(), n);
                            if (ec == asio::error::eof) return self->End(true);
                            if (ec || self->in_.size() > kMaxReply) return self->End(false);
                            self->Read();
                          });
  }
  void End(bool ok) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    timer_.cancel();
    boost::system::error_code ignored;
    sock_.close(ignored);
    while (!in_.empty() && in_.back() == '\n') in_.pop_back();
    done(ok ? std::optional<std::string>(std::move(in_)) : std::nullopt);
  }

  Proto::socket sock_;
  asio::steady_timer timer_;
  std::string path_, out_, in_;
  std::array<char, 65536> buf_{};
  Done done_;
  std::chrono::seconds timeout_;
};

// The children's replies to one request as one document: their members side by side, arrays
// under the same name joined (the VRRP child's "instances" and the checker's are one list).
nlohmann::json Merge(const std::vector<std::optional<std::string>>& replies) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& r : replies) {
    if (!r) continue;
    auto part = nlohmann::json::parse(*r, nullptr, false);
    if (!part.is_object()) continue;
    for (auto& [key, value] : part.items()) {
      if (doc.contains(key) && doc[key].is_array() && value.is_array()) {
        for (auto& v : value) doc[key].push_back(v);
      } else if (!doc.contains(key)) {
        doc[key] = value;
      }
    }
  }
  return doc;
}

struct ChildRt {
  std::string role;   // "vrrp" | "checker": the environment's and the socket's name
  std::string title;  // for the log
  std::string pid_file;
  pid_t pid = 0;
  Clock::time_point started;
  RespawnPolicy::Duration delay{0};  // before the current start
  int starts = 0;
  std::optional<int> last_exit;  // exit code, or 128 + signal
  std::unique_ptr<asio::steady_timer> timer;
  bool term_sent = false;  // the stop has been asked of it
  bool ready = false;      // it said so (a byte on its readiness pipe) since its start
  std::unique_ptr<asio::posix::stream_descriptor> ready_pipe;
  char ready_byte = 0;
};

class Supervisor {
 public:
  explicit Supervisor(const SupervisorOptions& o)
      : opts_(o),
        snapshot_(o.snapshot),
        signals_(io_),
        control_(io_, o.control_socket,
                 ControlServer::AsyncHandler(
                     [this](const std::string& r, auto reply) { Control(r, std::move(reply)); })) {}

  int Run() {
    if (auto other = os::LivePidInFile(opts_.pid_file)) {
      spdlog::error("daemon is already running (pid {} in {})", *other, opts_.pid_file);
      return 1;
    }
    std::string err;
    if (!os::WritePidFile(opts_.pid_file, ::getpid(), &err)) spdlog::warn("{}", err);
    os::BecomeSubreaper();
    if (opts_.run_vrrp) children_.push_back(ChildRt{"vrrp", "VRRP", opts_.vrrp_pid_file});
    if (opts_.run_checker) {
      children_.push_back(ChildRt{"checker", "Healthcheck", opts_.checkers_pid_file});
    }
    for (auto& c : children_) c.timer = std::make_unique<asio::steady_timer>(io_);

    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN + 2, SIGRTMAX - 1}) {
      signals_.add(s);
    }
    WaitSignal();
    if (!control_.Start(&err)) spdlog::warn("{}", err);
    if (!opts_.metrics_listen.empty()) {
      // The same status as vigilctl's, rendered with keepalived-exporter's metric names.
      metrics_ = std::make_unique<MetricsServer>(
          io_, opts_.metrics_listen, [this](std::function<void(std::string)> body) {
            Control("status", [body](std::string reply) {
              auto doc = nlohmann::json::parse(reply, nullptr, false);
              body(control::RenderMetrics(doc.is_discarded() ? nlohmann::json::object() : doc));
            });
          });
      if (!metrics_->Start(&err)) spdlog::error("{}", err);
    }
    for (auto& c : children_) {
      if (!stopping_) Spawn(c);
    }
    watchdog_interval_ = os::WatchdogInterval();
    if (watchdog_interval_.count() > 0) {
      spdlog::info("systemd watchdog every {} ms", watchdog_interval_.count() / 1000);
      Watchdog();
    }
    io_.run();
    if (metrics_) metrics_->Stop();
    control_.Stop();
    ::unlink(opts_.snapshot_path.c_str());  // a copy of the configuration, secrets included
    os::RemovePidFile(opts_.pid_file, ::getpid());
    spdlog::info("Stopped");
    return exit_code_;
  }

 private:
  void WaitSignal() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      OnSignal(sig);
      WaitSignal();
    });
  }

  void OnSignal(int sig) {
    if (sig == SIGCHLD) return Reap();
    if (sig == SIGTERM || sig == SIGINT) {
      if (!stopping_) spdlog::info("Stopping (signal {})", sig);
      return Stop(exit_code_);
    }
    if (sig == SIGHUP) return Reload(nullptr);
    // The children act on the rest (dumps, statistics); one still starting has not set its
    // handlers yet, and the signal would end it.
    for (auto& c : children_) {
      if (c.pid > 0 && c.ready) ::kill(c.pid, sig);
    }
  }

  void Spawn(ChildRt& c) {
    std::string err;
    int fd = os::BytesToInheritedFd(snapshot_, &err);
    if (fd < 0) {
      spdlog::error("{} child not started: {}", c.title, err);
      return Stop(1);
    }
    int ready[2];
    if (!os::ReadinessPipe(ready, &err)) {
      ::close(fd);
      spdlog::error("{} child not started: {}", c.title, err);
      return Stop(1);
    }
    std::vector<std::string> env = {
        std::string(kChildRoleEnv) + "=" + c.role,
        std::string(kParentPidEnv) + "=" + std::to_string(::getpid()),
        std::string(kSnapshotFdEnv) + "=3",
        std::string(kReadyFdEnv) + "=4",
        std::string(kRespawnedEnv) + "=" + (c.starts > 0 ? "1" : "0"),
    };
    pid_t pid = os::SpawnSelf(opts_.argv, env, {fd, ready[1]}, &err);
    ::close(fd);
    ::close(ready[1]);
    if (pid < 0) {
      ::close(ready[0]);
      spdlog::error("{} child not started: {}", c.title, err);
      return Stop(1);
    }
    c.ready = false;
    c.ready_pipe = std::make_unique<asio::posix::stream_descriptor>(io_, ready[0]);
    c.ready_pipe->async_read_some(asio::buffer(&c.ready_byte, 1),
                                  [this, &c, pid](const boost::system::error_code& ec, size_t n) {
                                    if (ec || n == 0 || c.pid != pid)
                                      return;  // it died before it was ready
                                    c.ready = true;
                                    ChildReady(c);
                                  });
    c.pid = pid;
    c.started = Clock::now();
    ++c.starts;
    spdlog::info("Starting {} child process, pid={}", c.title, pid);
  }

  void Reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      for (auto& c : children_) {
        if (c.pid == pid) ChildEnded(c, status);
      }
      // Anything else was a script a dead child left behind (we are its subreaper).
    }
  }

  // The service is ready once every child is, the first time (systemd's READY=1); a child
  // started again later only updates the status line.
  void ChildReady(ChildRt& c) {
    spdlog::debug("{} child ready", c.title);
    for (const auto& o : children_) {
      if (!o.ready) return;
    }
    if (!announced_ready_) {
      announced_ready_ = true;
      spdlog::info("Startup complete");
    }
    os::Notify("READY=1\nSTATUS=" + StatusLine());
  }

  std::string StatusLine() const {
    std::string s;
    for (const auto& c : children_) {
      if (!s.empty()) s += ", ";
      s += c.title + std::string(c.pid > 0 ? " running" : " restarting");
      if (c.starts > 1) s += " (" + std::to_string(c.starts - 1) + " restarts)";
    }
    return s;
  }

  // systemd's watchdog is kept alive only while the children's event loops answer: every
  // running child must answer "ping" within a third of the interval.
  void Watchdog() {
    watchdog_timer_.expires_after(watchdog_interval_ / 3);
    watchdog_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      auto pending = std::make_shared<size_t>(1);
      auto healthy = std::make_shared<bool>(true);
      auto one = [this, pending, healthy] {
        if (--*pending > 0) return;
        if (*healthy) os::Notify("WATCHDOG=1");
        Watchdog();
      };
      auto timeout = std::chrono::duration_cast<std::chrono::seconds>(watchdog_interval_ / 3);
      if (timeout.count() < 1) timeout = std::chrono::seconds(1);
      for (auto& c : children_) {
        if (c.pid <= 0 || !c.ready) continue;
        ++*pending;
        std::string title = c.title;
        std::make_shared<ChildQuery>(
            io_, ChildControlSocket(opts_.control_socket, c.role), "ping",
            [this, one, healthy, title](std::optional<std::string> r) {
              if (!r || r->find("pong") == std::string::npos) {
                *healthy = false;
                uint64_t suppressed = 0;
                if (watchdog_logs_.Allow(Clock::now(), &suppressed)) {
                  spdlog::warn("{} child did not answer; the systemd watchdog is not fed", title);
                }
              }
              one();
            },
            timeout)
            ->Run();
      }
      one();
    });
  }

  void ChildEnded(ChildRt& c, int status) {
    pid_t pid = c.pid;
    c.pid = 0;
    c.ready = false;
    if (c.ready_pipe) {
      boost::system::error_code ignored;
      c.ready_pipe->close(ignored);
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    c.last_exit = code;
    os::RemovePidFile(c.pid_file, pid);
    if (stopping_) {
      spdlog::info("{} child process({}) exited with status {}", c.title, pid, code);
      return StopNext();
    }
    if (WIFSIGNALED(status)) {
      spdlog::error("{} child process({}) died: killed by signal {} ({})", c.title, pid,
                    WTERMSIG(status), strsignal(WTERMSIG(status)));
    } else {
      spdlog::error("{} child process({}) exited with status {}", c.title, pid, code);
    }
    if (WIFEXITED(status) && RespawnPolicy::Permanent(code)) {
      spdlog::error("{} child process exited with a permanent error {}; stopping", c.title, code);
      return Stop(code);
    }
    if (opts_.dont_respawn) {
      spdlog::info("{} child not started again (--dont-respawn); stopping", c.title);
      return Stop(0);
    }
    auto ran = std::chrono::duration_cast<RespawnPolicy::Duration>(Clock::now() - c.started);
    c.delay = RespawnPolicy::Next(ran, c.delay);
    spdlog::info("Restarting {} child process in {} ms", c.title, c.delay.count());
    c.timer->expires_after(c.delay);
    c.timer->async_wait([this, &c](const boost::system::error_code& ec) {
      if (!ec && !stopping_) Spawn(c);
    });
  }

  // Stops the children one at a time, VRRP first; the loop ends when none is left.
  void Stop(int code) {
    if (!stopping_) {
      exit_code_ = code;
      os::Notify("STOPPING=1");
      for (auto& r : waiting_) {  // queued reloads will not run
        if (r) r(R"({"reloaded":false,"errors":["stopping"]})");
      }
      waiting_.clear();
    }
    stopping_ = true;
    watchdog_timer_.cancel();
    for (auto& c : children_) c.timer->cancel();
    StopNext();
  }
  void StopNext() {
    for (auto& c : children_) {
      if (c.pid > 0) {
        if (!c.term_sent) {
          ::kill(c.pid, SIGTERM);
          c.term_sent = true;
        }
        return;  // its end (SIGCHLD) brings us back here
      }
    }
    signals_.cancel();
    io_.stop();
  }

  // Reloads run one at a time; those asked for meanwhile run together after it.
  void Reload(std::function<void(std::string)> reply) {
    if (stopping_) {
      if (reply) reply(R"({"reloaded":false,"errors":["stopping"]})");
      return;
    }
    waiting_.push_back(std::move(reply));
    if (!reloading_) StartReload();
  }

  void StartReload() {
    reloading_ = true;
    auto replies =
        std::make_shared<std::vector<std::function<void(std::string)>>>(std::move(waiting_));
    waiting_.clear();
    auto finish = [this, replies](const nlohmann::json& result) {
      os::Notify(std::string("READY=1\nSTATUS=") +
                 (result.value("reloaded", false) ? "Reload complete; " : "Reload refused; ") +
                 StatusLine());
      for (auto& r : *replies) {
        if (r) r(result.dump());
      }
      reloading_ = false;
      if (!waiting_.empty() && !stopping_) StartReload();
    };
    spdlog::info("Reloading");
    os::Notify("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(os::MonotonicUsec()) +
               "\nSTATUS=Reloading");
    ReloadLoad load = opts_.load ? opts_.load() : ReloadLoad{};
    if (!load.ok) {
      for (const auto& e : load.errors) spdlog::error("{}", e);
      spdlog::error("Reload refused: the new configuration has errors; the running one is kept");
      return finish({{"reloaded", false}, {"errors", load.errors}});
    }
    std::string err;
    if (!os::WriteFileAtomic(opts_.snapshot_path, load.snapshot, 0600, &err)) {
      spdlog::error("Reload refused: {}", err);
      return finish({{"reloaded", false}, {"errors", {err}}});
    }
    snapshot_ = std::move(load.snapshot);  // a child started from now on runs the new one
    auto results = std::make_shared<nlohmann::json>(nlohmann::json::object());
    auto pending = std::make_shared<size_t>(0);
    auto all_done = [results, finish] {
      bool ok = true;
      for (auto& [role, r] : results->items()) ok = ok && r.value("reloaded", false);
      if (ok) {
        spdlog::info("Reload complete");
      } else {
        spdlog::error("Reload incomplete: {}", results->dump());
      }
      finish({{"reloaded", ok}, {"children", *results}});
    };
    for (auto& c : children_) {
      if (c.pid > 0) ++*pending;
    }
    if (*pending == 0) return all_done();
    for (auto& c : children_) {
      if (c.pid <= 0) continue;
      std::string role = c.role;
      std::make_shared<ChildQuery>(
          io_, ChildControlSocket(opts_.control_socket, role), "reload",
          [results, pending, all_done, role](std::optional<std::string> r) {
            auto doc = r ? nlohmann::json::parse(*r, nullptr, false) : nlohmann::json();
            if (!doc.is_object()) doc = {{"reloaded", false}, {"error", "no answer"}};
            (*results)[role] = doc;
            if (--*pending == 0) all_done();
          },
          kReloadTimeout)
          ->Run();
    }
  }

  void Control(const std::string& request, std::function<void(std::string)> reply) {
    if (request == "reload") return Reload(std::move(reply));
    // Operator actions go to the child that owns the object, and its reply comes back as is.
    std::string verb = request.substr(0, request.find(' '));
    if (verb == "maintenance" || verb == "real-server") {
      std::string role = verb == "maintenance" ? "vrrp" : "checker";
      for (auto& c : children_) {
        if (c.role != role || c.pid <= 0) continue;
        std::make_shared<ChildQuery>(
            io_, ChildControlSocket(opts_.control_socket, role), request,
            [reply](std::optional<std::string> r) {
              reply(r ? *r
                      : std::string(R"({"ok":false,"error":"the )") + "child did not answer\"}");
            })
            ->Run();
        return;
      }
      return reply(
          nlohmann::json{{"ok", false}, {"error", "no " + role + " child is running"}}.dump());
    }
    auto replies = std::make_shared<std::vector<std::optional<std::string>>>();
    auto pending = std::make_shared<size_t>(0);
    auto finish = [this, request, replies, reply]() {
      auto doc = Merge(*replies);
      if (request == "status") {
        if (!doc.contains("instances")) doc["instances"] = nlohmann::json::array();
        doc["processes"] = Processes();
      }
      reply(doc.dump());
    };
    for (auto& c : children_) {
      if (c.pid > 0) ++*pending;
    }
    replies->resize(children_.size());
    if (*pending == 0) return finish();
    for (size_t i = 0; i < children_.size(); ++i) {
      if (children_[i].pid <= 0) continue;
      std::make_shared<ChildQuery>(io_, ChildControlSocket(opts_.control_socket, children_[i].role),
                                   request,
                                   [replies, pending, finish, i](std::optional<std::string> r) {
                                     (*replies)[i] = std::move(r);
                                     if (--*pending == 0) finish();
                                   })
          ->Run();
    }
  }

  nlohmann::json Processes() const {
    nlohmann::json out = nlohmann::json::array();
    out.push_back({{"role", "supervisor"}, {"pid", ::getpid()}, {"running", true}});
    for (const auto& c : children_) {
      nlohmann::json p = {{"role", c.role},
                          {"pid", c.pid},
                          {"running", c.pid > 0},
                          {"starts", c.starts},
                          {"restarts", c.starts > 0 ? c.starts - 1 : 0}};
      p["last_exit"] = c.last_exit ? nlohmann::json(*c.last_exit) : nlohmann::json();
      out.push_back(std::move(p));
    }
    return out;
  }

  const SupervisorOptions& opts_;
  std::string snapshot_;  // what a child is started with: the last configuration accepted
  bool reloading_ = false;
  bool announced_ready_ = false;
  std::chrono::microseconds watchdog_interval_{0};
  base::RateLimit watchdog_logs_{5, std::chrono::seconds(60)};
  std::vector<std::function<void(std::string)>> waiting_;  // replies of queued reloads
  asio::io_context io_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_{io_};
  ControlServer control_;
  std::unique_ptr<MetricsServer> metrics_;
  std::vector<ChildRt> children_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

}  // namespace

int RunSupervisor(const SupervisorOptions& options) { return Supervisor(options).Run(); }

}  // namespace vigil::daemon
