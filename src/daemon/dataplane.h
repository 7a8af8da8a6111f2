// Where the load balancer's table lives: the checker engine computes the services it wants
// (lb::Desired) and hands the whole list to a dataplane, which brings the kernel to it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"
#include "lb/desired.h"

namespace vigil::daemon {

class Dataplane {
 public:
  virtual ~Dataplane() = default;
  virtual const char* name() const = 0;
  // Empty if `s` can be programmed here; else why not (a configuration error).
  virtual std::string Unsupported(const lb::Service& s) const = 0;
  // Brings the kernel's table to `desired` (the services Vigil owns; others are left alone).
  // False, with the reason, if the kernel refused; the next Apply() tries again from what the
  // kernel holds.
  virtual bool Apply(const std::vector<lb::Service>& desired, std::string* error) = 0;
  // Removes everything Vigil installed (at shutdown).
  virtual void Clear() = 0;
};

// nftables: one table of Vigil's (`table`, default "vigil_lb"), replaced atomically.
std::unique_ptr<Dataplane> MakeNftDataplane(const std::string& table);

// IPVS (the default, as keepalived), through generic netlink.
struct IpvsOptions {
  bool flush_at_start = false;  // lvs_flush: every service in the kernel, Vigil's or not
  bool flush_on_stop = false;   // lvs_flush_on_stop: flush all at Clear() instead of Vigil's only
  // lvs_sync_daemon without a VRRP instance: both the master and the backup sync daemons run
  // while the dataplane lives.
  struct SyncDaemon {
    std::string interface;
    int syncid = 0;
    std::optional<int> maxlen, port, ttl;
    std::optional<base::IpAddress> group;
  };
  std::optional<SyncDaemon> sync_daemon;
  // lvs_timeouts tcp / tcpfin / udp, seconds (0: left as it is); set at the first apply.
  struct Timeouts {
    uint32_t tcp = 0, tcp_fin = 0, udp = 0;
  };
  std::optional<Timeouts> timeouts;
};
// Null, with the reason in *error, if the kernel has no IPVS or the socket cannot be opened.
std::unique_ptr<Dataplane> MakeIpvsDataplane(const IpvsOptions& options, std::string* error);

}  // namespace vigil::daemon
