// The IPVS dataplane: the kernel's layer-4 load balancer through generic netlink (os::Ipvs).
// At the first Apply() (and after any failed step) it reads what the kernel holds for the
// services Vigil owns, so a vigild restarted over a live table changes only what differs;
// then it applies lb::Diff's steps one by one and keeps a copy of what the kernel holds.
// Services Vigil does not own are never touched, unless lvs_flush / lvs_flush_on_stop ask.
#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <tuple>

#include "daemon/dataplane.h"
#include "daemon/lvs_sync.h"
#include "os/linux/ipvs.h"

namespace vigil::daemon {
namespace {

int Protocol(const std::string& p) {
  if (p == "UDP") return IPPROTO_UDP;
  if (p == "SCTP") return IPPROTO_SCTP;
  return IPPROTO_TCP;
}

// A service's identity as the kernel keys it: a fwmark service by family and mark only.
using Identity = std::tuple<int, uint32_t, int, base::IpAddress, uint16_t>;

Identity IdentityOf(const os::IpvsService& s) {
  if (s.fwmark) return {s.family, s.fwmark, 0, base::IpAddress(), 0};
  return {s.family, 0, s.protocol, s.address, s.port};
}

os::IpvsService KeyOf(const lb::ServiceKey& k) {
  os::IpvsService s;
  s.family = k.address.is_v4() ? AF_INET : AF_INET6;
  if (k.kind == model::VsKeyKind::kFwmark) {
    s.fwmark = static_cast<uint32_t>(k.fwmark);
    s.protocol = 0;
  } else {
    s.protocol = Protocol(k.protocol);
    s.address = k.address;
    s.port = static_cast<uint16_t>(k.port);
  }
  return s;
}

// A mask's prefix length (leading one bits).
int PrefixOf(const base::IpAddress& mask) {
  int n = 0;
  size_t len = mask.is_v4() ? 4 : 16;
  for (size_t i = 0; i < len; ++i) {
    uint8_t b = mask.bytes()[i];
    for (int bit = 7; bit >= 0 && (b >> bit & 1); --bit) ++n;
    if (b != 0xff) break;
  }
  return n;
}

os::IpvsService ToKernel(const lb::Service& svc) {
  os::IpvsService s = KeyOf(svc.key);
  s.scheduler = svc.scheduler;
  if (svc.persistence_timeout) {
    s.flags |= IP_VS_SVC_F_PERSISTENT;
    s.timeout = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(*svc.persistence_timeout).count());
  }
  if (svc.one_packet) s.flags |= IP_VS_SVC_F_ONEPACKET;
  if (svc.sched_flag1) s.flags |= IP_VS_SVC_F_SCHED1;
  if (svc.sched_flag2) s.flags |= IP_VS_SVC_F_SCHED2;
  if (svc.sched_flag3) s.flags |= IP_VS_SVC_F_SCHED3;
  if (const auto& g = svc.persistence_granularity) {
    if (s.family == AF_INET) {
      const auto& b = g->bytes();
      s.netmask = htonl(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3]);
    } else {
      s.netmask = static_cast<uint32_t>(PrefixOf(*g));
    }
  }
  s.pe_name = svc.persistence_engine;
  return s;
}

os::IpvsDest ToKernel(const lb::Destination& d) {
  os::IpvsDest k;
  k.address = d.address;
  k.port = static_cast<uint16_t>(d.port);
  k.weight = d.weight;
  k.u_threshold = static_cast<uint32_t>(d.uthreshold);
  k.l_threshold = static_cast<uint32_t>(d.lthreshold);
  switch (d.method) {
    case model::LvsMethod::kNat:
      k.fwd_method = IP_VS_CONN_F_MASQ;
      break;
    case model::LvsMethod::kDr:
      k.fwd_method = IP_VS_CONN_F_DROUTE;
      break;
    case model::LvsMethod::kTun:
      k.fwd_method = IP_VS_CONN_F_TUNNEL;
      break;
  }
  if (d.method == model::LvsMethod::kTun) {
    k.tun_type = d.tunnel_type == lb::TunnelType::kGue   ? IP_VS_CONN_F_TUNNEL_TYPE_GUE
                 : d.tunnel_type == lb::TunnelType::kGre ? IP_VS_CONN_F_TUNNEL_TYPE_GRE
                                                         : IP_VS_CONN_F_TUNNEL_TYPE_IPIP;
    k.tun_port = static_cast<uint16_t>(d.tunnel_port);
    k.tun_flags = d.tunnel_csum == lb::TunnelCsum::kCsum      ? IP_VS_TUNNEL_ENCAP_FLAG_CSUM
                  : d.tunnel_csum == lb::TunnelCsum::kRemCsum ? IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM
                                                              : IP_VS_TUNNEL_ENCAP_FLAG_NOCSUM;
  }
  return k;
}

lb::Destination FromKernel(const os::IpvsDest& k) {
  lb::Destination d;
  d.address = k.address;
  d.port = k.port;
  d.weight = k.weight;
  d.uthreshold = static_cast<int>(k.u_threshold);
  d.lthreshold = static_cast<int>(k.l_threshold);
  switch (k.fwd_method & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_DROUTE:
      d.method = model::LvsMethod::kDr;
      break;
    case IP_VS_CONN_F_TUNNEL:
      d.method = model::LvsMethod::kTun;
      break;
    default:
      d.method = model::LvsMethod::kNat;
      break;  // MASQ (LOCALNODE: edited back)
  }
  if (d.method == model::LvsMethod::kTun) {
    d.tunnel_type = k.tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GUE   ? lb::TunnelType::kGue
                    : k.tun_type == IP_VS_CONN_F_TUNNEL_TYPE_GRE ? lb::TunnelType::kGre
                                                                 : lb::TunnelType::kIpip;
    d.tunnel_port = k.tun_port;
    d.tunnel_csum = (k.tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_REMCSUM) ? lb::TunnelCsum::kRemCsum
                    : (k.tun_flags & IP_VS_TUNNEL_ENCAP_FLAG_CSUM)  ? lb::TunnelCsum::kCsum
                                                                    : lb::TunnelCsum::kNoCsum;
  }
  return d;
}

lb::Service FromKernel(const lb::ServiceKey& key, const os::IpvsService& k,
                       const std::vector<os::IpvsDest>& dests) {
  lb::Service s;
  s.key = key;
  s.scheduler = k.scheduler;
  if (k.flags & IP_VS_SVC_F_PERSISTENT) s.persistence_timeout = std::chrono::seconds(k.timeout);
  s.one_packet = k.flags & IP_VS_SVC_F_ONEPACKET;
  s.sched_flag1 = k.flags & IP_VS_SVC_F_SCHED1;
  s.sched_flag2 = k.flags & IP_VS_SVC_F_SCHED2;
  s.sched_flag3 = k.flags & IP_VS_SVC_F_SCHED3;
  if (k.family == AF_INET) {
    uint32_t mask = ntohl(k.netmask);
    if (mask != 0 && mask != 0xffffffffU) s.persistence_granularity = base::IpAddress::V4(mask);
  } else if (k.netmask > 0 && k.netmask < 128) {
    std::array<uint8_t, 16> b{};
    for (uint32_t i = 0; i < k.netmask; ++i) b[i / 8] |= uint8_t(0x80 >> (i % 8));
    s.persistence_granularity = base::IpAddress::V6(b);
  }
  s.persistence_engine = k.pe_name;
  for (const auto& d : dests) s.destinations.push_back(FromKernel(d));
  return s;
}

std::string DestText(const lb::Destination& d) {
  return (d.address.is_v4() ? d.address.ToString() : "[" + d.address.ToString() + "]") + ":" +
         std::to_string(d.port);
}

class IpvsDataplane : public Dataplane {
 public:
  IpvsDataplane(os::Ipvs ipvs, IpvsOptions options)
      : ipvs_(std::move(ipvs)), options_(std::move(options)) {}

  const char* name() const override { return "ipvs"; }

  std::string Unsupported(const lb::Service& s) const override {
    for (const auto& d : s.destinations) {
      if (d.method != model::LvsMethod::kTun && s.key.kind == model::VsKeyKind::kAddress &&
          d.address.family() != s.key.address.family()) {
        return "real server " + d.address.ToString() +
               " is not of the virtual address's family (only a TUN real server may differ)";
      }
    }
    return "";
  }

  bool Apply(const std::vector<lb::Service>& desired, std::string* error) override {
    for (const auto& s : desired) owned_.insert(s.key);
    if (first_) {
      first_ = false;
      if (options_.flush_at_start) {
        if (!ipvs_.Flush(error)) {
          *error = "lvs_flush: " + *error;
          first_ = true;
          return false;
        }
        spdlog::info("IPVS: lvs_flush: removed every service from the kernel's table");
      }
      if (options_.timeouts) {
        const auto& t = *options_.timeouts;
        if (!ipvs_.SetTimeouts(os::IpvsTimeouts{t.tcp, t.tcp_fin, t.udp}, error)) {
          *error = "lvs_timeouts: " + *error;
          first_ = true;
          return false;
        }
        spdlog::info("IPVS: lvs_timeouts tcp {} tcpfin {} udp {} (0: unchanged)", t.tcp, t.tcp_fin,
                     t.udp);
      }
      StartSyncDaemons();
    }
    bool reconciling = !synced_;
    if (!synced_) {
      if (!Load(error)) return false;
      synced_ = true;
    }
    auto steps = lb::Diff(cache_, desired);
    if (reconciling) {
      spdlog::info("IPVS: {} of Vigil's services found in the kernel; {} changes to apply",
                   cache_.size(), steps.size());
    }
    for (const auto& step : steps) {
      if (!Do(step, error)) {
        synced_ = false;  // the next Apply() starts from what the kernel holds
        return false;
      }
    }
    return true;
  }

  void Clear() override {
    std::string err;
    if (options_.flush_on_stop) {
      if (!ipvs_.Flush(&err)) spdlog::warn("IPVS: lvs_flush_on_stop: {}", err);
    } else {
      if (!synced_ && !Load(&err)) spdlog::warn("IPVS: reading the table before removal: {}", err);
      for (const auto& s : cache_) {
        if (!ipvs_.DelService(KeyOf(s.key), &err)) spdlog::warn("IPVS: {}", err);
      }
    }
    cache_.clear();
    synced_ = false;
    StopSyncDaemons();
  }

 private:
  // The kernel's services that Vigil owns, with their destinations, into cache_.
  bool Load(std::string* error) {
    std::map<Identity, lb::ServiceKey> mine;
    for (const auto& k : owned_) mine.emplace(IdentityOf(KeyOf(k)), k);
    std::vector<os::IpvsService> all;
    if (!ipvs_.ListServices(&all, error)) return false;
    cache_.clear();
    for (const auto& k : all) {
      auto it = mine.find(IdentityOf(k));
      if (it == mine.end()) continue;
      std::vector<os::IpvsDest> dests;
      if (!ipvs_.ListDests(k, &dests, error)) return false;
      cache_.push_back(FromKernel(it->second, k, dests));
    }
    return true;
  }

  lb::Service* Cached(const lb::ServiceKey& key) {
    for (auto& s : cache_) {
      if (s.key == key) return &s;
    }
    return nullptr;
  }

  // One step to the kernel, and to cache_ once the kernel took it.
  bool Do(const lb::Step& step, std::string* error) {
    using K = lb::Step::Kind;
    os::IpvsService key = KeyOf(step.service);
    lb::Service* cached = Cached(step.service);
    switch (step.kind) {
      case K::kAddService:
        if (!ipvs_.AddService(ToKernel(*step.service_value), error)) return false;
        cache_.push_back(*step.service_value);
        cache_.back().destinations.clear();
        return true;
      case K::kEditService:
        if (!ipvs_.EditService(ToKernel(*step.service_value), error)) return false;
        if (cached) {
          auto dests = std::move(cached->destinations);
          *cached = *step.service_value;
          cached->destinations = std::move(dests);
        }
        return true;
      case K::kDeleteService:
        if (!ipvs_.DelService(key, error)) return false;
        std::erase_if(cache_, [&](const lb::Service& s) { return s.key == step.service; });
        return true;
      case K::kAddDestination:
      case K::kEditDestination:
      case K::kDeleteDestination:
        break;
    }
    const lb::Destination& d = *step.destination_value;
    os::IpvsDest kd = ToKernel(d);
    bool ok = step.kind == K::kAddDestination    ? ipvs_.AddDest(key, kd, error)
              : step.kind == K::kEditDestination ? ipvs_.EditDest(key, kd, error)
                                                 : ipvs_.DelDest(key, kd, error);
    if (!ok) return false;
    if (!cached) return true;
    auto& ds = cached->destinations;
    auto same = [&](const lb::Destination& x) {
      return x.address == d.address && x.port == d.port;
    };
    std::erase_if(ds, same);
    if (step.kind != K::kDeleteDestination) ds.push_back(d);
    spdlog::debug("IPVS: {} {}",
                  step.kind == K::kAddDestination    ? "added"
                  : step.kind == K::kEditDestination ? "edited"
                                                     : "removed",
                  DestText(d));
    return true;
  }

  void StartSyncDaemons() {
    if (!options_.sync_daemon) return;
    const auto& o = *options_.sync_daemon;
    for (int state : {IP_VS_STATE_MASTER, IP_VS_STATE_BACKUP}) {
      os::IpvsSyncDaemon d = ToKernel(o, state);
      std::string err;
      ipvs_.StopSyncDaemon(state, &err);  // one left by an earlier run (kill -9) is replaced
      const char* which = state == IP_VS_STATE_MASTER ? "master" : "backup";
      if (!ipvs_.StartSyncDaemon(d, &err)) {
        spdlog::error("IPVS: lvs_sync_daemon: cannot start the {} sync daemon: {}", which, err);
        continue;
      }
      spdlog::info("IPVS: {} sync daemon on {} (syncid {})", which, o.interface, o.syncid);
      sync_started_.insert(state);
    }
  }

  void StopSyncDaemons() {
    for (int state : sync_started_) {
      std::string err;
      if (!ipvs_.StopSyncDaemon(state, &err)) spdlog::warn("IPVS: lvs_sync_daemon: {}", err);
    }
    sync_started_.clear();
  }

  os::Ipvs ipvs_;
  IpvsOptions options_;
  std::set<lb::ServiceKey> owned_;  // every key Vigil has been asked for
  std::vector<lb::Service> cache_;  // what the kernel holds of them (when synced_)
  bool synced_ = false, first_ = true;
  std::set<int> sync_started_;
};

}  // namespace

std::unique_ptr<Dataplane> MakeIpvsDataplane(const IpvsOptions& options, std::string* error) {
  std::string why;
  auto ipvs = os::Ipvs::Open(&why);
  if (!ipvs) {
    *error = "lb_dataplane ipvs: cannot use IPVS: " + why;
    return nullptr;
  }
  return std::make_unique<IpvsDataplane>(std::move(*ipvs), options);
}

}  // namespace vigil::daemon
