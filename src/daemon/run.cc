#include "daemon/run.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <nlohmann/json.hpp>

#include "daemon/check_engine.h"
#include "daemon/control_server.h"
#include "daemon/vrrp_engine.h"
#include "os/linux/limits.h"

namespace vigil::daemon {

int RunVrrp(const model::Config& config, const std::string& control_socket) {
  boost::asio::io_context io;
  std::unique_ptr<VrrpEngine> vrrp;
  std::unique_ptr<CheckEngine> checker;
  if (config.HasVrrp()) {
    vrrp = std::make_unique<VrrpEngine>(io, config);
    if (!vrrp->Start()) return 1;
  }
  if (config.HasLvs()) {
    // Every check holds a socket while it runs (an SMTP_CHECK one per host), and with many
    // real servers against slow targets they all can at once: room for two per checker
    // beyond the usual 1024, as keepalived raises its own limit.
    size_t checkers = 0;
    for (const auto& vs : config.virtual_servers) {
      for (const auto& rs : vs.real_servers) checkers += rs.checkers.size();
    }
    std::string warning;
    size_t limit = os::RaiseOpenFileLimit(1024 + 2 * checkers, &warning);
    if (!warning.empty()) {
      spdlog::warn("{} checkers with at most {} open files: {}", checkers, limit, warning);
    }
    checker = std::make_unique<CheckEngine>(io, config);
    if (!checker->Start()) {
      if (vrrp) {
        vrrp->Shutdown([&io] { io.stop(); });
        io.run();
      }
      return 1;
    }
  }

  auto slash = control_socket.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    ::mkdir(control_socket.substr(0, slash).c_str(), 0755);
  }
  ControlServer control(io, control_socket, [&](const std::string& request) {
    if (request != "status") return std::string(R"({"error":"unknown request"})");
    nlohmann::json doc = vrrp ? nlohmann::json::parse(vrrp->StatusJson())
                              : nlohmann::json{{"instances", nlohmann::json::array()}};
    if (checker) {
      auto lvs = nlohmann::json::parse(checker->StatusJson());
      doc["dataplane"] = lvs["dataplane"];
      doc["lb"] = lvs;
      doc["virtual_servers"] = lvs["virtual_servers"];
    }
    return doc.dump();
  });
  std::string err;
  if (!control.Start(&err)) spdlog::warn("{}", err);

  boost::asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("Stopping (signal {})", sig);
    control.Stop();
    // Both engines stop; the loop ends when the last is done.
    auto pending = std::make_shared<int>((vrrp ? 1 : 0) + (checker ? 1 : 0));
    auto one_done = [&io, pending] {
      if (--*pending == 0) io.stop();
    };
    if (checker) checker->Shutdown(one_done);
    if (vrrp) vrrp->Shutdown(one_done);
  });
  spdlog::info("Startup complete");
  io.run();
  spdlog::info("Stopped");
  return 0;
}

}  // namespace vigil::daemon
