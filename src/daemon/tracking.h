// What the VRRP instances track: track_interface (link state), track_process (process counts,
// daemon/process_tracker.h), track_script (vrrp_script run
// on its interval) and track_file (a value read when inotify reports a change). It runs the
// scripts and watches the files, and reports an instance's new effective priority or FAULT
// (vrrp/track.h computes both) through a callback. Boost.Asio stays inside.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "model/config.h"
#include "vrrp/track.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class Tracking {
 public:
  using Changed = std::function<void(size_t instance, const vrrp::EffectivePriority&)>;
  Tracking(boost::asio::io_context& io, const model::Config& config, Changed changed);
  ~Tracking();

  // Registers instance `index` (its track_* lists, and those of its vrrp_sync_group `group`
  // if it has one) and returns its effective priority now (scripts start OK unless
  // init_fail; interfaces, files and processes are read at once).
  vrrp::EffectivePriority Add(size_t index, const model::VrrpInstanceConf& conf,
                              const model::SyncGroupConf* group);
  // A reload: what the scripts of the tracking this one replaces had found, by vrrp_script
  // name. Seeded before Add(), a script whose definition is unchanged goes on from there
  // (its verdict and counters) instead of starting afresh (OK unless init_fail): a failing
  // script's weight stays applied and no priority moves because of the reload.
  struct ScriptStates;  // opaque, defined in tracking.cc
  std::shared_ptr<const ScriptStates> Scripts() const;
  void SeedScripts(std::shared_ptr<const ScriptStates> states);
  // Starts the scripts' schedules and the file watches.
  void Start();
  void LinkChanged(int ifindex, bool up);
  // Stops scripts (SIGTERM to those running) and watches.
  void Stop();
  // The tracked objects of an instance, for the status document (a JSON array).
  nlohmann::json Status(size_t index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
