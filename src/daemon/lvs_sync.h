// global_defs' lvs_sync_daemon (keepalived.conf(5)): IPVS's connection-sync daemons. Without a
// VRRP instance the IPVS dataplane runs both the master and the backup daemon while it lives;
// with one (`lvs_sync_daemon IFACE [inst] NAME ...`), the VRRP engine runs the master daemon
// while NAME is MASTER and the backup daemon otherwise, as keepalived's VRRP process does.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "daemon/dataplane.h"
#include "model/config.h"
#include "os/linux/ipvs.h"

namespace vigil::daemon {

struct LvsSyncConf {
  IpvsOptions::SyncDaemon daemon;
  std::string instance;  // empty: not tied to an instance
};

// The kernel's form of `d` for `state` (IP_VS_STATE_MASTER or IP_VS_STATE_BACKUP).
os::IpvsSyncDaemon ToKernel(const IpvsOptions::SyncDaemon& d, int state);

// The lvs_sync_daemon line of `config`, if any and understood (a word that is not understood
// is logged and no daemon runs).
std::optional<LvsSyncConf> ParseLvsSyncDaemon(const model::Config& config);

// The sync daemons of one VRRP instance's state.
class LvsSyncFollower {
 public:
  virtual ~LvsSyncFollower() = default;
  // keepalived's state words: MASTER starts the master daemon and stops the backup one;
  // BACKUP and FAULT the other way round; STOP stops both.
  virtual void InstanceState(const std::string& state) = 0;
  // What runs now: "master", "backup" or "" (for the status document).
  virtual std::string running() const = 0;
};
// Null, with the reason, if IPVS cannot be opened.
std::unique_ptr<LvsSyncFollower> MakeLvsSyncFollower(const LvsSyncConf& conf, std::string* error);

}  // namespace vigil::daemon
