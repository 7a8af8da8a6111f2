#include "lb/desired.h"

#include <map>

namespace vigil::lb {

bool QuorumAfter(bool had_quorum, int live_weight, int quorum, int hysteresis) {
  if (had_quorum) return live_weight >= quorum - hysteresis;
  return live_weight >= quorum + hysteresis;
}

void ApplyForwarding(const model::ForwardingConf& f, Destination* d) {
  if (f.method != model::LvsMethod::kTun) return;
  const auto& o = f.tunnel_options;
  for (size_t i = 0; i < o.size(); ++i) {
    if (o[i] == "type" && i + 1 < o.size()) {
      ++i;
      if (o[i] == "ipip") d->tunnel_type = TunnelType::kIpip;
      if (o[i] == "gue") d->tunnel_type = TunnelType::kGue;
      if (o[i] == "gre") d->tunnel_type = TunnelType::kGre;
    } else if (o[i] == "port" && i + 1 < o.size()) {
      ++i;
      int port = 0;
      for (char c : o[i]) {
        if (c < '0' || c > '9' || port > 65535) {
          port = 0;
          break;
        }
        port = port * 10 + (c - '0');
      }
      if (port <= 65535) d->tunnel_port = port;
    } else if (o[i] == "nocsum") {
      d->tunnel_csum = TunnelCsum::kNoCsum;
    } else if (o[i] == "csum") {
      d->tunnel_csum = TunnelCsum::kCsum;
    } else if (o[i] == "remcsum") {
      d->tunnel_csum = TunnelCsum::kRemCsum;
    }
  }
}

namespace {

// The family's full mask (255.255.255.255, ffff:...:ffff) is the same as no granularity.
std::optional<base::IpAddress> Granularity(const std::optional<base::IpAddress>& g) {
  if (!g) return std::nullopt;
  const auto& b = g->bytes();
  size_t n = g->is_v4() ? 4 : 16;
  for (size_t i = 0; i < n; ++i) {
    if (b[i] != 0xff) return g;
  }
  return std::nullopt;
}

// A destination of `vs` at `address`: the forwarding of its own (else the virtual server's).
Destination MakeDestination(const model::VirtualServerConf& vs, base::IpAddress address, int port,
                            int weight, const std::optional<model::ForwardingConf>& own) {
  Destination d;
  d.address = address;
  d.port = port;
  d.weight = weight;
  const auto& f = own ? own : vs.forwarding;
  d.method = f ? f->method : model::LvsMethod::kNat;
  if (f) ApplyForwarding(*f, &d);
  return d;
}

}  // namespace

ServiceState Desired(const model::VirtualServerConf& vs, const std::vector<bool>& alive,
                     const std::vector<int>& weights, bool had_quorum) {
  ServiceState st;
  Service& s = st.service;
  s.key.kind = vs.key_kind == model::VsKeyKind::kFwmark ? model::VsKeyKind::kFwmark
                                                        : model::VsKeyKind::kAddress;
  s.key.address = vs.address;
  s.key.port = vs.port.value_or(0);
  s.key.fwmark = vs.fwmark;
  s.key.protocol = vs.protocol.empty() ? "TCP" : vs.protocol;
  s.scheduler = vs.lb_algo.empty() ? model::defaults::kScheduler : vs.lb_algo;
  if (vs.persistence_timeout) {
    s.persistence_timeout = std::chrono::duration_cast<std::chrono::seconds>(
        *vs.persistence_timeout + std::chrono::microseconds(500'000));
  }
  s.persistence_granularity = Granularity(vs.persistence_granularity);
  s.persistence_engine = vs.persistence_engine;
  s.one_packet = vs.ops;
  s.sched_flag1 = vs.flag1 || vs.sh_fallback || vs.mh_fallback;
  s.sched_flag2 = vs.flag2 || vs.sh_port || vs.mh_port;
  s.sched_flag3 = vs.flag3;
  std::vector<Destination> up;
  for (size_t i = 0; i < vs.real_servers.size(); ++i) {
    const auto& rs = vs.real_servers[i];
    Destination d = MakeDestination(vs, rs.address, rs.port.value_or(s.key.port),
                                    i < weights.size() ? weights[i] : rs.weight, rs.forwarding);
    d.uthreshold = rs.uthreshold.value_or(0);
    d.lthreshold = rs.lthreshold.value_or(0);
    bool is_alive = i < alive.size() && alive[i];
    if (is_alive) {
      st.live_weight += d.weight;
      up.push_back(d);
    } else if (rs.inhibit_on_failure.value_or(vs.inhibit_on_failure.value_or(false))) {
      d.weight = 0;  // kept in the table, sent nothing
      up.push_back(d);
    }
  }
  st.quorum = QuorumAfter(had_quorum, st.live_weight, vs.quorum, vs.hysteresis);
  if (!st.quorum && vs.sorry_server) {
    // keepalived: without quorum the real servers give way to the sorry server.
    s.destinations = {MakeDestination(vs, *vs.sorry_server,
                                      vs.sorry_server_port.value_or(s.key.port), 1,
                                      vs.sorry_server_forwarding)};
    return st;
  }
  s.destinations = up;
  if (vs.sorry_server && vs.sorry_server_inhibit) {
    // sorry_server_inhibit: the idle sorry server stays in the table with weight 0.
    s.destinations.push_back(MakeDestination(vs, *vs.sorry_server,
                                             vs.sorry_server_port.value_or(s.key.port), 0,
                                             vs.sorry_server_forwarding));
  }
  return st;
}

std::vector<ServiceKey> KeysOf(const model::VirtualServerConf& vs,
                               const std::vector<model::VirtualServerGroupConf>& groups) {
  std::string proto = vs.protocol.empty() ? "TCP" : vs.protocol;
  if (vs.key_kind != model::VsKeyKind::kGroup) {
    ServiceKey k;
    k.kind = vs.key_kind;
    k.address = vs.address;
    k.port = vs.port.value_or(0);
    k.fwmark = vs.fwmark;
    k.protocol = proto;
    if (k.kind == model::VsKeyKind::kFwmark) {
      // A fwmark service still has a family: ip_family, else that of the real servers that
      // are not tunnelled (keepalived's rule), else IPv4.
      bool v6 = vs.ip_family == "inet6";
      if (vs.ip_family.empty()) {
        for (const auto& rs : vs.real_servers) {
          const auto& f = rs.forwarding ? rs.forwarding : vs.forwarding;
          if (f && f->method == model::LvsMethod::kTun) continue;
          v6 = !rs.address.is_v4();
          break;
        }
      }
      k.address = v6 ? base::IpAddress::V6({}) : base::IpAddress();
    }
    return {k};
  }
  std::vector<ServiceKey> keys;
  for (const auto& g : groups) {
    if (g.name != vs.group) continue;
    for (const auto& e : g.entries) {
      if (e.fwmark) {
        ServiceKey k;
        k.kind = model::VsKeyKind::kFwmark;
        k.fwmark = *e.fwmark;
        k.protocol = proto;
        if (e.family == "inet6") k.address = base::IpAddress::V6({});
        keys.push_back(k);
        continue;
      }
      if (!e.first) continue;
      base::IpAddress last = e.last.value_or(*e.first);
      auto bytes = e.first->bytes();
      const size_t lo = e.first->is_v4() ? 3 : 15;  // the varying part: bytes [lo-1, lo]
      unsigned from = e.first->is_v4() ? bytes[lo] : (bytes[lo - 1] << 8 | bytes[lo]);
      unsigned to =
          last.is_v4() ? last.bytes()[lo] : (last.bytes()[lo - 1] << 8 | last.bytes()[lo]);
      for (unsigned v = from; v <= to && v <= 0xffff; ++v) {
        auto b = bytes;
        if (e.first->is_v4()) {
          b[lo] = static_cast<uint8_t>(v);
        } else {
          b[lo - 1] = static_cast<uint8_t>(v >> 8);
          b[lo] = static_cast<uint8_t>(v);
        }
        ServiceKey k;
        k.kind = model::VsKeyKind::kAddress;
        k.address = e.first->is_v4()
                        ? base::IpAddress::V4(uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 |
                                              uint32_t(b[2]) << 8 | b[3])
                        : base::IpAddress::V6(b);
        k.port = e.port.value_or(vs.port.value_or(0));
        k.protocol = proto;
        keys.push_back(k);
      }
    }
  }
  return keys;
}

namespace {

using DestKey = std::pair<base::IpAddress, int>;

std::map<DestKey, const Destination*> ByAddress(const Service& s) {
  std::map<DestKey, const Destination*> m;
  for (const auto& d : s.destinations) m[{d.address, d.port}] = &d;
  return m;
}

Service Header(const Service& s) {
  Service h = s;
  h.destinations.clear();
  return h;
}

}  // namespace

std::vector<Step> Diff(const std::vector<Service>& current, const std::vector<Service>& desired) {
  std::map<ServiceKey, const Service*> cur, want;
  for (const auto& s : current) cur[s.key] = &s;
  for (const auto& s : desired) want[s.key] = &s;
  std::vector<Step> adds, edits, dest_dels, svc_dels;
  for (const auto& s : desired) {
    auto it = cur.find(s.key);
    if (it == cur.end()) {
      adds.push_back({Step::Kind::kAddService, s.key, Header(s), std::nullopt});
      for (const auto& d : s.destinations) {
        adds.push_back({Step::Kind::kAddDestination, s.key, std::nullopt, d});
      }
      continue;
    }
    const Service& old = *it->second;
    if (!(Header(old) == Header(s))) {
      edits.push_back({Step::Kind::kEditService, s.key, Header(s), std::nullopt});
    }
    auto old_dests = ByAddress(old);
    for (const auto& d : s.destinations) {
      auto o = old_dests.find({d.address, d.port});
      if (o == old_dests.end()) {
        edits.push_back({Step::Kind::kAddDestination, s.key, std::nullopt, d});
      } else if (!(*o->second == d)) {
        edits.push_back({Step::Kind::kEditDestination, s.key, std::nullopt, d});
      }
    }
    auto new_dests = ByAddress(s);
    for (const auto& d : old.destinations) {
      if (!new_dests.count({d.address, d.port})) {
        dest_dels.push_back({Step::Kind::kDeleteDestination, s.key, std::nullopt, d});
      }
    }
  }
  for (const auto& s : current) {
    if (!want.count(s.key))
      svc_dels.push_back({Step::Kind::kDeleteService, s.key, std::nullopt, std::nullopt});
  }
  std::vector<Step> out = adds;
  out.insert(out.end(), edits.begin(), edits.end());
  out.insert(out.end(), dest_dels.begin(), dest_dels.end());
  out.insert(out.end(), svc_dels.begin(), svc_dels.end());
  return out;
}

}  // namespace vigil::lb
