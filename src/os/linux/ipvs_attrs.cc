#include "os/linux/ipvs_attrs.h"

// clang-format off
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
// clang-format on
#include <arpa/inet.h>

#include <cstring>
#include <optional>

namespace vigil::os::ipvs_attrs {

namespace {

int Collect(const nlattr* a, void* data) {
  auto* t = static_cast<Attrs*>(data);
  uint16_t type = mnl_attr_get_type(a);
  if (type < t->size()) (*t)[type] = a;
  return MNL_CB_OK;
}

std::string Str(const nlattr* a) {
  if (!a) return {};
  const auto* p = static_cast<const char*>(mnl_attr_get_payload(a));
  return std::string(p, strnlen(p, mnl_attr_get_payload_len(a)));
}

// Addresses travel as a union nf_inet_addr (16 bytes; IPv4 in the first four).
std::optional<base::IpAddress> Address(const nlattr* a, int family) {
  if (!a) return std::nullopt;
  size_t len = mnl_attr_get_payload_len(a);
  const void* p = mnl_attr_get_payload(a);
  if (family == AF_INET && len >= 4) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return base::IpAddress::V4(ntohl(v));
  }
  if (family == AF_INET6 && len >= 16) {
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), p, 16);
    return base::IpAddress::V6(b);
  }
  return std::nullopt;
}

void PutAddress(nlmsghdr* nlh, uint16_t type, const base::IpAddress& a) {
  std::array<uint8_t, 16> b{};
  std::memcpy(b.data(), a.bytes().data(), a.is_v4() ? 4 : 16);
  mnl_attr_put(nlh, type, b.size(), b.data());  // as ipvsadm sends it
}

int FamilyOf(const base::IpAddress& a) { return a.is_v4() ? AF_INET : AF_INET6; }

// The nested attribute `type` of a message.
Attrs Nested(const void* m, uint16_t type) {
  return ParseNested(Parse(static_cast<const nlmsghdr*>(m))[type]);
}

}  // namespace

Attrs Parse(const nlmsghdr* nlh) {
  Attrs t{};
  mnl_attr_parse(nlh, GENL_HDRLEN, Collect, &t);
  return t;
}

Attrs ParseNested(const nlattr* nest) {
  Attrs t{};
  if (nest) mnl_attr_parse_nested(nest, Collect, &t);
  return t;
}

uint8_t U8(const nlattr* a) {
  return a && mnl_attr_get_payload_len(a) >= 1 ? mnl_attr_get_u8(a) : 0;
}
uint16_t U16(const nlattr* a) {
  return a && mnl_attr_get_payload_len(a) >= 2 ? mnl_attr_get_u16(a) : 0;
}
uint32_t U32(const nlattr* a) {
  return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

std::string PutService(nlmsghdr* nlh, const IpvsService& s, bool full) {
  if (s.family != AF_INET && s.family != AF_INET6) return "the family is not AF_INET or AF_INET6";
  if (!s.fwmark && FamilyOf(s.address) != s.family) return "the address is of the other family";
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_SERVICE);
  mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_AF, static_cast<uint16_t>(s.family));
  if (s.fwmark) {
    mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_FWMARK, s.fwmark);
  } else {
    mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PROTOCOL, static_cast<uint16_t>(s.protocol));
    PutAddress(nlh, IPVS_SVC_ATTR_ADDR, s.address);
    mnl_attr_put_u16(nlh, IPVS_SVC_ATTR_PORT, htons(s.port));
  }
  if (full) {
    // NEW_SERVICE and SET_SERVICE need all four of scheduler, flags, timeout and netmask.
    mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_SCHED_NAME, s.scheduler.c_str());
    if (!s.pe_name.empty()) mnl_attr_put_strz(nlh, IPVS_SVC_ATTR_PE_NAME, s.pe_name.c_str());
    // HASHED is the kernel's own (older kernels leave a new service unhashed if it is sent);
    // the mask says every other flag is as given.
    ip_vs_flags f{s.flags & ~uint32_t{IP_VS_SVC_F_HASHED}, ~0U};
    mnl_attr_put(nlh, IPVS_SVC_ATTR_FLAGS, sizeof f, &f);
    mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_TIMEOUT, s.timeout);
    uint32_t mask = s.netmask;
    if (mask == 0) mask = s.family == AF_INET6 ? 128 : 0xffffffffU;
    mnl_attr_put_u32(nlh, IPVS_SVC_ATTR_NETMASK, mask);
  }
  mnl_attr_nest_end(nlh, nest);
  return {};
}

std::string PutDest(nlmsghdr* nlh, const IpvsDest& d, bool full) {
  int family = d.family ? d.family : FamilyOf(d.address);
  if (family != FamilyOf(d.address)) return "the destination's address is of the other family";
  if (d.weight < 0) return "a negative weight";
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DEST);
  PutAddress(nlh, IPVS_DEST_ATTR_ADDR, d.address);
  mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_PORT, htons(d.port));
  // Without it the kernel takes the service's family (a mixed pool needs it).
  mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_ADDR_FAMILY, static_cast<uint16_t>(family));
  if (full) {
    // NEW_DEST and SET_DEST need all four of forwarding method, weight and thresholds.
    mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_FWD_METHOD, d.fwd_method & IP_VS_CONN_F_FWD_MASK);
    mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_WEIGHT, static_cast<uint32_t>(d.weight));
    mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_U_THRESH, d.u_threshold);
    mnl_attr_put_u32(nlh, IPVS_DEST_ATTR_L_THRESH, d.l_threshold);
    if (d.fwd_method == IP_VS_CONN_F_TUNNEL) {
      mnl_attr_put_u8(nlh, IPVS_DEST_ATTR_TUN_TYPE, static_cast<uint8_t>(d.tun_type));
      mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_PORT, htons(d.tun_port));
      mnl_attr_put_u16(nlh, IPVS_DEST_ATTR_TUN_FLAGS, d.tun_flags);
    }
  }
  mnl_attr_nest_end(nlh, nest);
  return {};
}

std::string PutDaemon(nlmsghdr* nlh, const IpvsSyncDaemon& d) {
  if (d.mcast_ifn.empty() || d.mcast_ifn.size() >= IP_VS_IFNAME_MAXLEN) {
    return "the interface name is empty or too long";
  }
  // STATE, MCAST_IFN and SYNC_ID are required; the rest default.
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);
  mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(d.state));
  mnl_attr_put_strz(nlh, IPVS_DAEMON_ATTR_MCAST_IFN, d.mcast_ifn.c_str());
  mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_SYNC_ID, static_cast<uint32_t>(d.syncid));
  if (d.maxlen) mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_SYNC_MAXLEN, *d.maxlen);
  if (d.mcast_group) {
    bool v4 = d.mcast_group->is_v4();
    // Group: the bare address (4 or 16 bytes), not the 16-byte union of services.
    mnl_attr_put(nlh, v4 ? IPVS_DAEMON_ATTR_MCAST_GROUP : IPVS_DAEMON_ATTR_MCAST_GROUP6,
                 v4 ? 4 : 16, d.mcast_group->bytes().data());
  }
  // The port is a u16 in host order here, unlike the services' ports.
  if (d.mcast_port) mnl_attr_put_u16(nlh, IPVS_DAEMON_ATTR_MCAST_PORT, *d.mcast_port);
  if (d.mcast_ttl) mnl_attr_put_u8(nlh, IPVS_DAEMON_ATTR_MCAST_TTL, *d.mcast_ttl);
  mnl_attr_nest_end(nlh, nest);
  return {};
}

bool DecodeService(const void* m, IpvsService* out) {
  Attrs a = Nested(m, IPVS_CMD_ATTR_SERVICE);
  if (!a[IPVS_SVC_ATTR_AF]) return false;
  IpvsService s;
  s.family = U16(a[IPVS_SVC_ATTR_AF]);
  s.fwmark = U32(a[IPVS_SVC_ATTR_FWMARK]);
  if (s.fwmark) {
    s.protocol = 0;
  } else {
    std::optional<base::IpAddress> addr = Address(a[IPVS_SVC_ATTR_ADDR], s.family);
    if (!addr || !a[IPVS_SVC_ATTR_PROTOCOL] || !a[IPVS_SVC_ATTR_PORT]) return false;
    s.address = *addr;
    s.protocol = U16(a[IPVS_SVC_ATTR_PROTOCOL]);
    s.port = ntohs(U16(a[IPVS_SVC_ATTR_PORT]));
  }
  s.scheduler = Str(a[IPVS_SVC_ATTR_SCHED_NAME]);
  s.pe_name = Str(a[IPVS_SVC_ATTR_PE_NAME]);
  if (const nlattr* f = a[IPVS_SVC_ATTR_FLAGS]; f && mnl_attr_get_payload_len(f) >= 4) {
    s.flags = mnl_attr_get_u32(f);  // struct ip_vs_flags: flags first, then the mask
  }
  s.timeout = U32(a[IPVS_SVC_ATTR_TIMEOUT]);
  s.netmask = U32(a[IPVS_SVC_ATTR_NETMASK]);
  *out = std::move(s);
  return true;
}

bool DecodeDest(const void* m, IpvsDest* out) {
  Attrs a = Nested(m, IPVS_CMD_ATTR_DEST);
  IpvsDest d;
  d.family = a[IPVS_DEST_ATTR_ADDR_FAMILY] ? U16(a[IPVS_DEST_ATTR_ADDR_FAMILY]) : AF_INET;
  std::optional<base::IpAddress> addr = Address(a[IPVS_DEST_ATTR_ADDR], d.family);
  if (!addr || !a[IPVS_DEST_ATTR_PORT]) return false;
  d.address = *addr;
  d.port = ntohs(U16(a[IPVS_DEST_ATTR_PORT]));
  d.fwd_method = U32(a[IPVS_DEST_ATTR_FWD_METHOD]) & IP_VS_CONN_F_FWD_MASK;
  d.weight = static_cast<int>(U32(a[IPVS_DEST_ATTR_WEIGHT]));
  d.u_threshold = U32(a[IPVS_DEST_ATTR_U_THRESH]);
  d.l_threshold = U32(a[IPVS_DEST_ATTR_L_THRESH]);
  d.tun_type = U8(a[IPVS_DEST_ATTR_TUN_TYPE]);
  d.tun_port = ntohs(U16(a[IPVS_DEST_ATTR_TUN_PORT]));
  d.tun_flags = U16(a[IPVS_DEST_ATTR_TUN_FLAGS]);
  d.active_conns = U32(a[IPVS_DEST_ATTR_ACTIVE_CONNS]);
  d.inactive_conns = U32(a[IPVS_DEST_ATTR_INACT_CONNS]);
  d.persist_conns = U32(a[IPVS_DEST_ATTR_PERSIST_CONNS]);
  *out = std::move(d);
  return true;
}

bool DecodeDaemon(const void* m, IpvsSyncDaemon* out) {
  Attrs a = Nested(m, IPVS_CMD_ATTR_DAEMON);
  if (!a[IPVS_DAEMON_ATTR_STATE] || !a[IPVS_DAEMON_ATTR_MCAST_IFN]) return false;
  IpvsSyncDaemon d;
  d.state = static_cast<int>(U32(a[IPVS_DAEMON_ATTR_STATE]));
  d.mcast_ifn = Str(a[IPVS_DAEMON_ATTR_MCAST_IFN]);
  d.syncid = static_cast<int>(U32(a[IPVS_DAEMON_ATTR_SYNC_ID]));
  if (a[IPVS_DAEMON_ATTR_SYNC_MAXLEN]) d.maxlen = U16(a[IPVS_DAEMON_ATTR_SYNC_MAXLEN]);
  if (a[IPVS_DAEMON_ATTR_MCAST_GROUP]) {
    d.mcast_group = Address(a[IPVS_DAEMON_ATTR_MCAST_GROUP], AF_INET);
  } else if (a[IPVS_DAEMON_ATTR_MCAST_GROUP6]) {
    d.mcast_group = Address(a[IPVS_DAEMON_ATTR_MCAST_GROUP6], AF_INET6);
  }
  if (a[IPVS_DAEMON_ATTR_MCAST_PORT]) d.mcast_port = U16(a[IPVS_DAEMON_ATTR_MCAST_PORT]);
  if (a[IPVS_DAEMON_ATTR_MCAST_TTL]) d.mcast_ttl = U8(a[IPVS_DAEMON_ATTR_MCAST_TTL]);
  *out = std::move(d);
  return true;
}

namespace {

std::string HostPort(const base::IpAddress& a, uint16_t port) {
  std::string host = a.is_v4() ? a.ToString() : "[" + a.ToString() + "]";
  return host + ":" + std::to_string(port);
}

}  // namespace

std::string Describe(const IpvsService& s) {
  if (s.fwmark) {
    return "service FWM " + std::to_string(s.fwmark) + (s.family == AF_INET6 ? " (IPv6)" : "");
  }
  const char* proto = s.protocol == IPPROTO_TCP    ? "TCP"
                      : s.protocol == IPPROTO_UDP  ? "UDP"
                      : s.protocol == IPPROTO_SCTP ? "SCTP"
                                                   : "protocol";
  std::string p = proto;
  if (p == "protocol") p += " " + std::to_string(s.protocol);
  return "service " + p + " " + HostPort(s.address, s.port);
}

std::string Describe(const IpvsDest& d) { return "destination " + HostPort(d.address, d.port); }

}  // namespace vigil::os::ipvs_attrs
