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
    // -V (--dont-release-vrrp): a stop still sends priority 0 but leaves the addresses,
    // routes and VMAC links in place.
    bool keep_addresses_on_stop = false;
  };
  VrrpEngine(boost::asio::io_context& io, const model::Config& config, Options options);
  ~VrrpEngine();

  // Opens sockets and starts every instance. Returns false (and logs) if nothing can run.
  bool Start();
  // Graceful stop: Masters send priority 0 and release their addresses; `done` runs when the
  // notify scripts of the stop have ended (or their grace time is over).
  void Shutdown(std::function<void()> done);
  // A reload: starts this engine (built on the new configuration, not started) in place of
  // `previous` (the running engine of the one before). An instance that matches one of
  // previous's (keepalived's rule: VRID, address family, interface, unicast or multicast)
  // goes on in its state without a transition, with its counters and AH sequence number; a
  // Master keeps its addresses (those the new configuration drops are removed, new ones
  // added) and sends its advert at once. Unmatched instances stop as at shutdown (priority
  // 0, addresses released) or start as at startup. VMAC links and the accept filter pass
  // over as they are. `previous` runs nothing afterwards; Shutdown() it, then destroy it once
  // its `done` has run. False if no instance could be started.
  bool TakeOver(VrrpEngine& previous);
  // vigilctl maintenance: takes `instance` out of service (a Master hands over as at a
  // graceful stop, then it stays silent) or puts it back (it starts as at startup). The
  // reply is JSON: {"ok": true, ...} or {"ok": false, "error": ...}. Carried over reloads.
  std::string Maintenance(const std::string& instance, bool on);
  // keepalived's STATS_CLEAR: every instance's counters back to zero.
  void ClearStats();
  // The status document served by the control socket (docs/CONTROL.md).
  std::string StatusJson() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
