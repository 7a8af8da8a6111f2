#include "daemon/run.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>

#include "daemon/control_server.h"
#include "daemon/vrrp_engine.h"

namespace vigil::daemon {

int RunVrrp(const model::Config& config, const std::string& control_socket) {
  boost::asio::io_context io;
  VrrpEngine engine(io, config);
  if (!engine.Start()) return 1;

  auto slash = control_socket.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    ::mkdir(control_socket.substr(0, slash).c_str(), 0755);
  }
  ControlServer control(io, control_socket, [&engine](const std::string& request) {
    if (request == "status") return engine.StatusJson();
    return std::string(R"({"error":"unknown request"})");
  });
  std::string err;
  if (!control.Start(&err)) spdlog::warn("{}", err);

  boost::asio::signal_set stop(io, SIGTERM, SIGINT);
  stop.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("Stopping (signal {})", sig);
    control.Stop();
    engine.Shutdown([&io] { io.stop(); });
  });
  spdlog::info("Startup complete");
  io.run();
  spdlog::info("Stopped");
  return 0;
}

}  // namespace vigil::daemon
