#include "daemon/run.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <nlohmann/json.hpp>

#include "daemon/check_engine.h"
#include "daemon/control_server.h"
#include "daemon/vrrp_engine.h"
#include "os/linux/daemon_process.h"
#include "os/linux/limits.h"

namespace vigil::daemon {
namespace {

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

}  // namespace

int RunChild(const model::Config& config, const ChildOptions& options) {
  boost::asio::io_context io;
  std::unique_ptr<VrrpEngine> vrrp;
  std::unique_ptr<CheckEngine> checker;
  if (options.role == "vrrp") {
    VrrpEngine::Options vo;
    vo.resume = options.respawned;
    vrrp = std::make_unique<VrrpEngine>(io, config, vo);
    if (!vrrp->Start()) return 1;
  } else {
    RaiseFileLimitForCheckers(config);
    checker = std::make_unique<CheckEngine>(io, config);
    if (!checker->Start()) return 1;
  }
  std::string err;
  if (!os::WritePidFile(options.pid_file, ::getpid(), &err)) spdlog::warn("{}", err);

  ControlServer control(io, options.control_socket, [&](const std::string& request) {
    if (request != "status") return std::string(R"({"error":"unknown request"})");
    if (vrrp) return vrrp->StatusJson();
    auto lvs = nlohmann::json::parse(checker->StatusJson());
    nlohmann::json doc = {
        {"dataplane", lvs["dataplane"]}, {"virtual_servers", lvs["virtual_servers"]}, {"lb", lvs}};
    return doc.dump();
  });
  if (!control.Start(&err)) spdlog::warn("{}", err);

  boost::asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("{} child stopping (signal {})", vrrp ? "VRRP" : "Healthcheck", sig);
    control.Stop();
    auto done = [&io] { io.stop(); };
    if (checker) checker->Shutdown(done);
    if (vrrp) vrrp->Shutdown(done);
  });
  // Until they do something of their own, the signals the supervisor passes on for reloads
  // and dumps are logged rather than left to end the process.
  boost::asio::signal_set other(io, SIGHUP, SIGUSR1, SIGUSR2);
  other.add(SIGRTMIN + 2);
  other.add(SIGRTMAX - 1);
  std::function<void()> wait_other = [&] {
    other.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      spdlog::warn("signal {} is not acted on yet", sig);
      wait_other();
    });
  };
  wait_other();
  spdlog::info("Startup complete");
  io.run();
  os::RemovePidFile(options.pid_file, ::getpid());
  return 0;
}

}  // namespace vigil::daemon
