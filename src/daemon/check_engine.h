// The checker engine: runs every virtual_server's health checks and keeps the load
// balancer's table (IPVS or nftables, global_defs `lb_dataplane`) in step with them.
//
// Each checker has a probe (daemon/probe.h), a check::Verdict (retry, delay_before_retry,
// alpha) and a timer; a real server is alive while all its checkers are up. When one changes,
// its virtual server's desired table (lb::Desired: weights, inhibit_on_failure, quorum with
// hysteresis, sorry_server) is recomputed, and all changes of one event-loop turn reach the
// dataplane together. Transitions run notify_up / notify_down / quorum_up / quorum_down and
// write keepalived's FIFO lines. Boost.Asio stays inside the implementation.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class CheckEngine {
 public:
  CheckEngine(boost::asio::io_context& io, const model::Config& config);
  ~CheckEngine();

  // Builds the probes and the dataplane and programs the starting table. False (with the
  // reasons logged) if a virtual server cannot be run on the chosen dataplane.
  bool Start();
  // A reload: builds this engine (on the new configuration, not started) beside `previous`
  // (running) and takes its place. A checker that matches one of previous's (same virtual
  // and real server, same place and kind) keeps its results and schedule, a virtual server
  // its quorum; on the same dataplane the table is carried on and only what differs is
  // changed (nftables: one atomic replacement with the same content where nothing did).
  // False, with `previous` untouched and running, if the new configuration cannot be built.
  // Afterwards Shutdown() `previous` (it only stops its notifier) and destroy it once done.
  bool TakeOver(CheckEngine& previous);
  // -I (--dont-release-ipvs): Shutdown() leaves the IPVS or nftables table as it is.
  void KeepTableOnStop();
  // Stops checking and removes what Vigil installed; `done` runs when that is over.
  void Shutdown(std::function<void()> done);
  // vigilctl real-server disable|enable: takes the real server `address`:`port` of the
  // virtual server named `vs` (keepalived's name, as in the status) out of the table whatever
  // its checks say, or gives it back to them. JSON reply {"ok": ...}. Carried over reloads.
  std::string SetRealServer(const std::string& vs, const std::string& address, int port,
                            bool enabled);
  // {"dataplane": ..., "virtual_servers": [...]} (docs/CONTROL.md).
  std::string StatusJson() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
