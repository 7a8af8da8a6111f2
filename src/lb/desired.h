// The load balancer's desired table and the ordered changes that reach it, pure: what a
// virtual server should hold given which real servers are alive (keepalived.conf(5):
// weight, inhibit_on_failure, quorum, hysteresis, sorry_server, sorry_server_inhibit), and
// the steps that turn one table into another. The dataplane (IPVS or nftables) applies the
// steps; it never decides.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"
#include "model/config.h"

namespace vigil::lb {

// lb_kind TUN's options (keepalived.conf(5): `TUN [type {ipip|gue port NUM|gre}
// [nocsum|csum|remcsum]]`); meaningful only for a TUN destination, default elsewhere.
enum class TunnelType { kIpip, kGue, kGre };
enum class TunnelCsum { kNoCsum, kCsum, kRemCsum };

struct Destination {
  base::IpAddress address;
  int port = 0;
  int weight = 1;
  model::LvsMethod method = model::LvsMethod::kNat;
  int uthreshold = 0, lthreshold = 0;  // connection limits; 0: none
  TunnelType tunnel_type = TunnelType::kIpip;
  int tunnel_port = 0;  // GUE's UDP port
  TunnelCsum tunnel_csum = TunnelCsum::kNoCsum;
  bool operator==(const Destination&) const = default;
};

// The tunnel fields of `d` from a `TUN ...` forwarding's options (unknown words ignored: the
// parser has reported them). Leaves `d` alone unless `f` is TUN.
void ApplyForwarding(const model::ForwardingConf& f, Destination* d);

// A service's identity, as IPVS keys it.
struct ServiceKey {
  model::VsKeyKind kind = model::VsKeyKind::kAddress;  // kAddress or kFwmark
  base::IpAddress address;
  int port = 0;
  int fwmark = 0;
  std::string protocol = "TCP";
  auto operator<=>(const ServiceKey&) const = default;
};

struct Service {
  ServiceKey key;
  std::string scheduler;
  // Persistent when set, in whole seconds (what IPVS keeps).
  std::optional<model::Duration> persistence_timeout;
  // persistence_granularity as a mask (IPv4 255.255.255.0, IPv6 ffff:ffff::); unset for the
  // family's full mask, which is also what an unset granularity means.
  std::optional<base::IpAddress> persistence_granularity;
  std::string persistence_engine;  // "sip"; empty for none
  bool one_packet = false;         // ops
  // The scheduler flags: flag-1 = sh-fallback = mh-fallback, flag-2 = sh-port = mh-port,
  // flag-3 (ipvsadm's -b; IP_VS_SVC_F_SCHED1..3).
  bool sched_flag1 = false, sched_flag2 = false, sched_flag3 = false;
  std::vector<Destination> destinations;  // in configuration order
  bool operator==(const Service&) const = default;
};

// Quorum with hysteresis: gained at quorum + hysteresis live weight, lost below
// quorum - hysteresis; in between the previous state holds.
bool QuorumAfter(bool had_quorum, int live_weight, int quorum, int hysteresis);

struct ServiceState {
  Service service;
  bool quorum = false;
  int live_weight = 0;
};

// What `vs` should hold: `alive[i]` says whether real_servers[i] passes its checks (and
// `weights[i]`, if given, is its current weight, e.g. from misc_dynamic). `had_quorum` is the
// previous quorum state (start: true unless alpha).
ServiceState Desired(const model::VirtualServerConf& vs, const std::vector<bool>& alive,
                     const std::vector<int>& weights, bool had_quorum);

// The services a virtual server stands for: its own key, or, for `virtual_server group NAME`,
// one per address of each range entry of the virtual_server_group (keepalived's ranges vary
// the last byte of an IPv4 address or the last 16 bits of an IPv6 one) and one per fwmark
// entry. Each has the virtual server's protocol; an entry without a port takes the
// virtual server's. Empty if the group does not exist.
std::vector<ServiceKey> KeysOf(const model::VirtualServerConf& vs,
                               const std::vector<model::VirtualServerGroupConf>& groups);

// One step of a change, in the order the dataplane must apply them.
struct Step {
  enum class Kind {
    kAddService,
    kEditService,
    kAddDestination,
    kEditDestination,
    kDeleteDestination,
    kDeleteService
  };
  Kind kind;
  ServiceKey service;
  std::optional<Service> service_value;          // add / edit service
  std::optional<Destination> destination_value;  // destination steps
  bool operator==(const Step&) const = default;
};

// The steps from `current` to `desired`: new services and their destinations first, then
// edits, then removed destinations, then removed services. Destinations are matched by
// address and port; services by key.
std::vector<Step> Diff(const std::vector<Service>& current, const std::vector<Service>& desired);

}  // namespace vigil::lb
