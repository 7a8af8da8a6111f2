// The VRRP engine: runs one vrrp::Router per configured vrrp_instance on real sockets.
//
// It owns the raw VRRP sockets (one per interface and family, shared by the instances on
// it and dispatched by VRID), the timers, the link monitor, and executes the routers'
// outputs: adverts, VIPs through rtnetlink, gratuitous ARP / unsolicited NA, state logging.
// Boost.Asio stays inside the implementation.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class VrrpEngine {
 public:
  struct Options {
    // Started again by the supervisor after the previous VRRP process died: an instance whose
    // addresses are all still in place resumes as Master at once (its first advert goes out
    // now), so that a quick restart does not move them; a higher-priority Master that took
    // over meanwhile makes it step down as usual.
    bool resume = false;
  };
  VrrpEngine(boost::asio::io_context& io, const model::Config& config, Options options);
  ~VrrpEngine();

  // Opens sockets and starts every instance. Returns false (and logs) if nothing can run.
  bool Start();
  // Graceful stop: Masters send priority 0 and release their addresses; `done` runs when the
  // notify scripts of the stop have ended (or their grace time is over).
  void Shutdown(std::function<void()> done);
  // The status document served by the control socket (docs/CONTROL.md).
  std::string StatusJson() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
