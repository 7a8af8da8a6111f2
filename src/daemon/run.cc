#include "daemon/run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "control/keepalived_check_dump.h"
#include "control/keepalived_dump.h"
#include "daemon/check_engine.h"
#include "daemon/control_server.h"
#include "daemon/vrrp_engine.h"
#include "os/linux/daemon_process.h"
#include "os/linux/limits.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;

void RaiseFileLimitForCheckers(const model::Config& config) {
  // Every check holds a socket while it runs (an SMTP_CHECK one per host), and with many real
  // servers against slow targets they all can at once: room for two per checker beyond the
  // usual 1024, as keepalived raises its own limit.
  size_t checkers = 0;
  for (const auto& vs : config.virtual_servers) {
    for (const auto& rs : vs.real_servers) checkers += rs.checkers.size();
  }
  std::string warning;
  size_t limit = os::RaiseOpenFileLimit(1024 + 2 * checkers, &warning);
  if (!warning.empty()) {
    spdlog::warn("{} checkers with at most {} open files: {}", checkers, limit, warning);
  }
}

// One configuration and the engine running it. Engines keep references into their
// configuration, so both live and die together.
struct Generation {
  std::unique_ptr<model::Config> config;
  std::unique_ptr<VrrpEngine> vrrp;
  std::unique_ptr<CheckEngine> checker;
  std::unique_ptr<asio::steady_timer> linger;  // a retired one's last seconds
};

// Once an engine has been replaced or stopped, handlers it cancelled may still be queued;
// it is destroyed this long after its Shutdown's `done`.
constexpr auto kRetireGrace = std::chrono::seconds(2);

class Child {
 public:
  Child(const ChildOptions& o, model::Config config)
      : opts_(o),
        control_(io_, o.control_socket, [this](const std::string& r) { return Request(r); }) {
    cur_.config = std::make_unique<model::Config>(std::move(config));
  }

  int Run() {
    if (opts_.role == "vrrp") {
      VrrpEngine::Options vo;
      vo.resume = opts_.respawned;
      vo.keep_addresses_on_stop = opts_.keep_vips_on_stop;
      cur_.vrrp = std::make_unique<VrrpEngine>(io_, *cur_.config, vo);
      if (!cur_.vrrp->Start()) return 1;
    } else {
      RaiseFileLimitForCheckers(*cur_.config);
      cur_.checker = std::make_unique<CheckEngine>(io_, *cur_.config);
      if (opts_.keep_table_on_stop) cur_.checker->KeepTableOnStop();
      if (!cur_.checker->Start()) return 1;
    }
    std::string err;
    if (!os::WritePidFile(opts_.pid_file, ::getpid(), &err)) spdlog::warn("{}", err);
    if (!control_.Start(&err)) spdlog::warn("{}", err);

    asio::signal_set stop(io_, SIGTERM, SIGINT);
    stop.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::info("{} child stopping (signal {})", Title(), sig);
      stopping_ = true;  // a request already read must not reload or act any more
      control_.Stop();
      auto done = [this] { io_.stop(); };
      if (cur_.checker) cur_.checker->Shutdown(done);
      if (cur_.vrrp) cur_.vrrp->Shutdown(done);
    });
    // The supervisor acts on SIGHUP itself (it checks the file, then asks for "reload" here);
    // dumps and statistics are not acted on yet.
    asio::signal_set other(io_, SIGHUP, SIGUSR1, SIGUSR2);
    other.add(SIGRTMIN + 2);
    other.add(SIGRTMAX - 1);
    WaitOther(other);
    spdlog::info("{} child: startup complete", Title());
    if (opts_.ready_fd >= 0) {
      char byte = 'R';
      if (::write(opts_.ready_fd, &byte, 1) != 1) spdlog::debug("readiness pipe: {}", errno);
      ::close(opts_.ready_fd);
    }
    io_.run();
    os::RemovePidFile(opts_.pid_file, ::getpid());
    return 0;
  }

 private:
  const char* Title() const { return opts_.role == "vrrp" ? "VRRP" : "Healthcheck"; }

  void WaitOther(asio::signal_set& other) {
    other.async_wait([this, &other](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (cur_.vrrp && sig != SIGHUP) {
        Dump(sig);
      } else if (cur_.checker && sig == SIGUSR1) {
        DumpChecker();
      } else {
        spdlog::debug("signal {} is not acted on by the {} child", sig, Title());
      }
      WaitOther(other);
    });
  }

  // keepalived's dump files, where keepalived writes them (global_defs state_dump_file,
  // stats_dump_file, json_dump_file; /tmp by default), written beside and renamed over, mode
  // 0644, never through a symlink: SIGUSR1 the data, SIGUSR2 the statistics, SIGRTMAX-1 the
  // statistics and then zeroes the counters, SIGRTMIN+2 the JSON.
  void Dump(int sig) {
    const auto& g = cur_.config->global;
    auto path = [](const std::string& configured, const char* fallback) {
      return configured.empty() ? std::string(fallback) : configured;
    };
    auto status = nlohmann::json::parse(cur_.vrrp->StatusJson());
    std::string file, text;
    if (sig == SIGUSR1) {
      file = path(g.state_dump_file, "/tmp/keepalived.data");
      text = control::KeepalivedData(status, *cur_.config);
    } else if (sig == SIGUSR2 || sig == SIGRTMAX - 1) {
      file = path(g.stats_dump_file, "/tmp/keepalived.stats");
      text = control::KeepalivedStats(status);
    } else if (sig == SIGRTMIN + 2) {
      file = path(g.json_dump_file, "/tmp/keepalived.json");
      text = control::KeepalivedJson(status, *cur_.config);
    } else {
      return;
    }
    std::string err;
    if (!os::WriteFileAtomic(file, text, 0644, &err)) {
      spdlog::error("cannot write {}: {}", file, err);
    } else {
      spdlog::info("Printing VRRP {} to {}",
                   sig == SIGUSR1        ? "data"
                   : sig == SIGRTMIN + 2 ? "as json"
                                         : "stats",
                   file);
    }
    if (sig == SIGRTMAX - 1) cur_.vrrp->ClearStats();
  }

  // The checker's half of keepalived's data dump (SIGUSR1): keepalived_check.data beside
  // the VRRP child's file.
  void DumpChecker() {
    std::string file = control::CheckDataPath(cur_.config->global.state_dump_file);
    std::string text = control::KeepalivedCheckData(
        nlohmann::json::parse(cur_.checker->StatusJson()), *cur_.config);
    std::string err;
    if (!os::WriteFileAtomic(file, text, 0644, &err)) {
      spdlog::error("cannot write {}: {}", file, err);
    } else {
      spdlog::info("Printing checker data to {}", file);
    }
  }

  std::string Request(const std::string& request) {
    if (request == "status") return Status();
    if (request == "ping") return R"({"pong":true})";  // the supervisor's watchdog probe
    if (stopping_) return R"({"ok":false,"reloaded":false,"error":"stopping"})";
    if (request == "reload") return Reload().dump();
    // VERB ARGS...; a virtual server's name may hold a space ("FWM 7", "group web"), so the
    // real-server request is read from its end: ... VS ADDRESS PORT ACTION.
    std::vector<std::string> w;
    std::istringstream in(request);
    for (std::string word; in >> word;) w.push_back(word);
    if (w.size() == 3 && w[0] == "maintenance" && cur_.vrrp && (w[2] == "on" || w[2] == "off")) {
      return cur_.vrrp->Maintenance(w[1], w[2] == "on");
    }
    if (w.size() >= 5 && w[0] == "real-server" && cur_.checker &&
        (w.back() == "enable" || w.back() == "disable")) {
      std::string vs = w[1];
      for (size_t i = 2; i + 3 < w.size(); ++i) vs += " " + w[i];
      int port = std::atoi(w[w.size() - 2].c_str());
      return cur_.checker->SetRealServer(vs, w[w.size() - 3], port, w.back() == "enable");
    }
    return R"({"error":"unknown request"})";
  }

  std::string Status() const {
    if (cur_.vrrp) return cur_.vrrp->StatusJson();
    auto lvs = nlohmann::json::parse(cur_.checker->StatusJson());
    nlohmann::json doc = {
        {"dataplane", lvs["dataplane"]}, {"virtual_servers", lvs["virtual_servers"]}, {"lb", lvs}};
    return doc.dump();
  }

  nlohmann::json Reload() {
    auto t0 = std::chrono::steady_clock::now();
    std::string err;
    auto conf = opts_.load_reload ? opts_.load_reload(&err) : std::nullopt;
    if (!conf) {
      spdlog::error("{} child: reload refused: {}", Title(), err);
      return {{"reloaded", false}, {"error", err}};
    }
    Generation next;
    next.config = std::make_unique<model::Config>(std::move(*conf));
    bool ok = true;
    if (cur_.vrrp) {
      VrrpEngine::Options vo;
      vo.keep_addresses_on_stop = opts_.keep_vips_on_stop;
      next.vrrp = std::make_unique<VrrpEngine>(io_, *next.config, vo);
      ok = next.vrrp->TakeOver(*cur_.vrrp);  // the previous engine has handed over either way
      if (!ok) err = "no VRRP instance of the new configuration could be started";
    } else {
      RaiseFileLimitForCheckers(*next.config);
      next.checker = std::make_unique<CheckEngine>(io_, *next.config);
      if (opts_.keep_table_on_stop) next.checker->KeepTableOnStop();
      if (!next.checker->TakeOver(*cur_.checker)) {
        spdlog::error("reload refused: the new virtual servers cannot be run; going on as before");
        return {{"reloaded", false},
                {"error", "the new virtual servers cannot be run (see the log); nothing changed"}};
      }
    }
    Retire(std::move(cur_));
    cur_ = std::move(next);
    auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
            .count();
    spdlog::info("{} child: reload finished in {} usec", Title(), us);
    nlohmann::json r = {{"reloaded", ok}, {"usec", us}};
    if (!ok) r["error"] = err;
    return r;
  }

  void Retire(Generation old) {
    auto it = retired_.insert(retired_.end(), std::move(old));
    it->linger = std::make_unique<asio::steady_timer>(io_);
    auto done = [this, it] {
      asio::post(io_, [this, it] {
        it->linger->expires_after(kRetireGrace);
        it->linger->async_wait([this, it](const boost::system::error_code&) {
          asio::post(io_, [this, it] { retired_.erase(it); });
        });
      });
    };
    if (it->vrrp) it->vrrp->Shutdown(done);
    if (it->checker) it->checker->Shutdown(done);
  }

  const ChildOptions& opts_;
  asio::io_context io_;
  ControlServer control_;
  Generation cur_;
  std::list<Generation> retired_;
  bool stopping_ = false;
};

}  // namespace

int RunChild(model::Config config, const ChildOptions& options) {
  return Child(options, std::move(config)).Run();
}

}  // namespace vigil::daemon
