// Notifications of VRRP state changes, as keepalived gives them: the instance's
// notify_master / notify_backup / notify_fault / notify_stop script, the generic `notify`
// script with "INSTANCE" NAME STATE PRIORITY appended, and a line
//   INSTANCE "VI_1" MASTER 150
// on `notify_fifo` and `vrrp_notify_fifo` (created if missing; their *_script, if any, is
// started with the FIFO's path as its argument to consume it). Scripts are fire-and-forget
// (reaped, never waited for: a script that hangs delays nothing; they get SIGTERM when the
// daemon stops); FIFO lines are written in order, queued without blocking while the reader
// is slow. Boost.Asio stays inside.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class Notifier {
 public:
  // kVrrp writes notify_fifo and vrrp_notify_fifo; kChecker notify_fifo and lvs_notify_fifo.
  enum class Side { kVrrp, kChecker };
  Notifier(boost::asio::io_context& io, const model::Config& config, Side side = Side::kVrrp);
  ~Notifier();

  // Opens the FIFOs and starts their consumer scripts.
  void Start();
  // `conf` entered `state` (keepalived's word: MASTER, BACKUP, FAULT or STOP, or DELETED for
  // an instance with notify_deleted that a reload removed; its notify_deleted script runs).
  void InstanceState(const model::VrrpInstanceConf& conf, std::string_view state, int priority);
  // vrrp_sync_group `group` entered `state` (all its members are in it): the group's own
  // notify_* script, its generic `notify` with "GROUP" NAME STATE 0, and a FIFO line
  //   GROUP "G1" MASTER 0
  // (keepalived 2.2.7's forms, priority always 0).
  void GroupState(const model::SyncGroupConf& group, std::string_view state);
  // keepalived's notify_master_rx_lower_pri: `conf`, Master at `priority`, heard a lower
  // priority (its script, and a MASTER_RX_LOWER_PRI line on the FIFOs).
  void MasterRxLowerPri(const model::VrrpInstanceConf& conf, int priority);
  // keepalived's notify_priority_changes: `conf`'s effective priority changed while in
  // `state` (MASTER or BACKUP): the generic notify and the FIFOs get MASTER_PRIORITY /
  // BACKUP_PRIORITY, if the instance asks for it.
  void PriorityChanged(const model::VrrpInstanceConf& conf, std::string_view state, int priority);
  // A checker-side notification: `script` run as given (notify_up, quorum_down, ...), and
  // a line on the FIFOs, keepalived's `VS [192.0.2.1]:tcp:80 UP` or
  // `RS [198.51.100.1]:tcp:80 [192.0.2.1]:tcp:80 DOWN`.
  void RunScript(const model::Script& script);
  void FifoLine(std::string line);
  // No new script starts; `done` runs once the scripts still running have ended, or after
  // kStopGrace, when those left get SIGTERM (the notify_stop scripts of the shutdown run to
  // completion within that time).
  void Stop(std::function<void()> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
