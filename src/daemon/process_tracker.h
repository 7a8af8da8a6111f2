// vrrp_track_process at run time: the processes that match each tracked pattern, counted
// from the kernel's process events (or, where the event connector is unavailable, as in a
// network namespace other than the initial one, from a rescan of /proc every second), with
// quorum, quorum_max and keepalived's fork/terminate delays before a change counts.
#pragma once

#include <functional>
#include <memory>

#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class ProcessTracker {
 public:
  using Changed = std::function<void(size_t object)>;  // object's up() changed
  ProcessTracker(boost::asio::io_context& io, Changed changed);
  ~ProcessTracker();
  // Registers a vrrp_track_process (once per name); returns its index. Its state is read now.
  size_t Add(const model::TrackProcessConf& conf);
  void Start();
  void Stop();
  bool up(size_t object) const;
  int count(size_t object) const;
  const model::TrackProcessConf& conf(size_t object) const;
  bool using_connector() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
