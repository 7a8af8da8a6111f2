#include "os/linux/netlink.h"

// <net/if.h> before any <linux/...> header: the kernel's if.h clashes with glibc's otherwise.
#include <net/if.h>
#include <net/if_arp.h>
// clang-format off
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
// clang-format on
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {

RtnlWriter::RtnlWriter(RtnlWriter&& o) noexcept : nl_(o.nl_), portid_(o.portid_), seq_(o.seq_) {
  o.nl_ = nullptr;
}

RtnlWriter::~RtnlWriter() {
  if (nl_) mnl_socket_close(static_cast<mnl_socket*>(nl_));
}

std::optional<RtnlWriter> RtnlWriter::Open(std::string* error) {
  mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    *error = std::string("netlink (addresses and routes): ") + std::strerror(errno);
    if (nl) mnl_socket_close(nl);
    return std::nullopt;
  }
  return RtnlWriter(nl, mnl_socket_get_portid(nl));
}

int RtnlWriter::Transact(void* msg, void* cb, void* data) {
  auto* nl = static_cast<mnl_socket*>(nl_);
  auto* nlh = static_cast<nlmsghdr*>(msg);
  nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  uint32_t seq = nlh->nlmsg_seq = seq_++;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return -errno;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  // The kernel answers in order; skip anything stale (an answer we stopped waiting for).
  while (true) {
    ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n < 0) return -errno;
    int rc =
        mnl_cb_run(buf, static_cast<size_t>(n), seq, portid_, reinterpret_cast<mnl_cb_t>(cb), data);
    if (rc < 0 && errno == EPROTO) continue;  // sequence mismatch: not our answer
    return rc < 0 ? -errno : 0;
  }
}

namespace {

size_t AddrLen(const base::IpAddress& a) { return a.is_v4() ? 4 : 16; }

void PutAddress(nlmsghdr* nlh, uint16_t type, const base::IpAddress& a) {
  mnl_attr_put(nlh, type, AddrLen(a), a.bytes().data());
}

nlmsghdr* AddressMessage(char* buf, uint16_t type, uint16_t flags, const AddressSpec& a) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  bool v4 = a.prefix.address.is_v4();
  ifa->ifa_family = v4 ? AF_INET : AF_INET6;
  ifa->ifa_prefixlen = a.prefix.length;
  ifa->ifa_scope = a.scope;
  ifa->ifa_index = static_cast<unsigned>(a.ifindex);
  PutAddress(nlh, IFA_LOCAL, a.prefix.address);
  PutAddress(nlh, IFA_ADDRESS, a.peer ? *a.peer : a.prefix.address);
  if (v4 && a.broadcast) PutAddress(nlh, IFA_BROADCAST, *a.broadcast);
  if (v4 && !a.label.empty()) mnl_attr_put_strz(nlh, IFA_LABEL, a.label.c_str());
  uint32_t f = 0;
  if (!v4) f |= IFA_F_NODAD;  // a VIP must be usable at once
  if (a.home) f |= IFA_F_HOMEADDRESS;
  if (a.mngtmpaddr) f |= IFA_F_MANAGETEMPADDR;
  if (a.noprefixroute) f |= IFA_F_NOPREFIXROUTE;
  if (a.autojoin) f |= IFA_F_MCAUTOJOIN;
  if (f) mnl_attr_put_u32(nlh, IFA_FLAGS, f);
  if (a.preferred_lft) {
    ifa_cacheinfo ci{};
    ci.ifa_prefered = *a.preferred_lft;
    ci.ifa_valid = 0xffffffffU;  // forever
    mnl_attr_put(nlh, IFA_CACHEINFO, sizeof ci, &ci);
  }
  return nlh;
}

nlmsghdr* RouteMessage(char* buf, uint16_t type, uint16_t flags, const RouteSpec& r) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
  rtm->rtm_family = r.family == base::Family::kIPv4 ? AF_INET : AF_INET6;
  rtm->rtm_dst_len = r.destination.length;
  rtm->rtm_table = r.table < 256 ? static_cast<uint8_t>(r.table) : uint8_t{RT_TABLE_UNSPEC};
  rtm->rtm_protocol = r.protocol;
  rtm->rtm_type = r.type;
  // As `ip route` chooses: a directly connected unicast route has link scope, a local one
  // host scope, the rest universe.
  uint8_t scope = RT_SCOPE_UNIVERSE;
  if (r.type == RTN_LOCAL) {
    scope = RT_SCOPE_HOST;
  } else if (r.type == RTN_UNICAST && !r.gateway) {
    scope = RT_SCOPE_LINK;
  }
  rtm->rtm_scope = type == RTM_DELROUTE ? uint8_t{RT_SCOPE_NOWHERE} : r.scope.value_or(scope);
  if (r.onlink) rtm->rtm_flags |= RTNH_F_ONLINK;
  if (r.destination.length > 0) PutAddress(nlh, RTA_DST, r.destination.address);
  if (r.gateway) PutAddress(nlh, RTA_GATEWAY, *r.gateway);
  if (r.source) PutAddress(nlh, RTA_PREFSRC, *r.source);
  if (r.oif) mnl_attr_put_u32(nlh, RTA_OIF, static_cast<uint32_t>(r.oif));
  if (r.metric) mnl_attr_put_u32(nlh, RTA_PRIORITY, *r.metric);
  if (r.table >= 256) mnl_attr_put_u32(nlh, RTA_TABLE, r.table);
  return nlh;
}

nlmsghdr* RuleMessage(char* buf, uint16_t type, uint16_t flags, const RuleSpec& r) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
  frh->family = r.family == base::Family::kIPv4 ? AF_INET : AF_INET6;
  frh->action = FR_ACT_TO_TBL;
  frh->tos = r.tos;
  frh->table = r.table < 256 ? static_cast<uint8_t>(r.table) : uint8_t{RT_TABLE_UNSPEC};
  if (r.invert) frh->flags |= FIB_RULE_INVERT;
  if (r.from) {
    frh->src_len = r.from->length;
    if (r.from->length) PutAddress(nlh, FRA_SRC, r.from->address);
  }
  if (r.to) {
    frh->dst_len = r.to->length;
    if (r.to->length) PutAddress(nlh, FRA_DST, r.to->address);
  }
  mnl_attr_put_u32(nlh, FRA_TABLE, r.table);
  if (r.priority) mnl_attr_put_u32(nlh, FRA_PRIORITY, *r.priority);
  if (!r.iif.empty()) mnl_attr_put_strz(nlh, FRA_IFNAME, r.iif.c_str());
  if (!r.oif.empty()) mnl_attr_put_strz(nlh, FRA_OIFNAME, r.oif.c_str());
  if (r.fwmark) mnl_attr_put_u32(nlh, FRA_FWMARK, *r.fwmark);
  if (r.fwmask) mnl_attr_put_u32(nlh, FRA_FWMASK, *r.fwmask);
  return nlh;
}

std::string Failure(const char* what, const std::string& object, int rc) {
  return std::string(what) + " " + object + ": " + std::strerror(-rc);
}

std::string Describe(const RouteSpec& r) { return "route " + r.destination.ToString(); }
std::string Describe(const RuleSpec& r) {
  std::string s = "rule";
  if (r.from) s += " from " + r.from->ToString();
  if (r.to) s += " to " + r.to->ToString();
  return s + " table " + std::to_string(r.table);
}

}  // namespace

bool RtnlWriter::AddAddress(const AddressSpec& a, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(AddressMessage(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a));
  if (rc == 0 || rc == -EEXIST) return true;
  *error = Failure("adding", a.prefix.ToString(), rc);
  return false;
}

bool RtnlWriter::DeleteAddress(const AddressSpec& a, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(AddressMessage(buf, RTM_DELADDR, 0, a));
  if (rc == 0 || rc == -EADDRNOTAVAIL || rc == -ENODEV) return true;
  *error = Failure("removing", a.prefix.ToString(), rc);
  return false;
}

bool RtnlWriter::AddRoute(const RouteSpec& r, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(RouteMessage(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, r));
  if (rc == 0 || rc == -EEXIST) return true;
  *error = Failure("adding", Describe(r), rc);
  return false;
}

bool RtnlWriter::DeleteRoute(const RouteSpec& r, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(RouteMessage(buf, RTM_DELROUTE, 0, r));
  if (rc == 0 || rc == -ESRCH || rc == -ENODEV) return true;
  *error = Failure("removing", Describe(r), rc);
  return false;
}

bool RtnlWriter::AddRule(const RuleSpec& r, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(RuleMessage(buf, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, r));
  if (rc == 0 || rc == -EEXIST) return true;
  *error = Failure("adding", Describe(r), rc);
  return false;
}

bool RtnlWriter::DeleteRule(const RuleSpec& r, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(RuleMessage(buf, RTM_DELRULE, 0, r));
  if (rc == 0 || rc == -ENOENT) return true;
  *error = Failure("removing", Describe(r), rc);
  return false;
}

namespace {

nlmsghdr* LinkMessage(char* buf, uint16_t type, uint16_t flags, int ifindex) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  return nlh;
}

}  // namespace

bool RtnlWriter::AddLink(const LinkSpec& l, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = LinkMessage(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  mnl_attr_put_u32(nlh, IFLA_LINK, static_cast<uint32_t>(l.parent));
  mnl_attr_put_strz(nlh, IFLA_IFNAME, l.name.c_str());
  bool mac = l.kind == LinkSpec::Kind::kMacvlan;
  if (mac && l.mac.size() == 6) mnl_attr_put(nlh, IFLA_ADDRESS, 6, l.mac.data());
  nlattr* info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
  mnl_attr_put_strz(nlh, IFLA_INFO_KIND, mac ? "macvlan" : "ipvlan");
  nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
  if (mac) {
    mnl_attr_put_u32(nlh, IFLA_MACVLAN_MODE, l.macvlan_mode);
  } else {
    mnl_attr_put_u16(nlh, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2);
    mnl_attr_put_u16(nlh, IFLA_IPVLAN_FLAGS, l.ipvlan_flags);
  }
  mnl_attr_nest_end(nlh, data);
  mnl_attr_nest_end(nlh, info);
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure("creating", std::string(mac ? "macvlan " : "ipvlan ") + l.name, rc);
  if (rc == -EOPNOTSUPP || rc == -EAFNOSUPPORT) *error += " (the kernel lacks this link type)";
  return false;
}

std::optional<LinkState> RtnlWriter::GetLink(const std::string& name) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = LinkMessage(buf, RTM_GETLINK, 0, 0);
  mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
  LinkState st;
  auto cb = [](const nlmsghdr* n, void* d) -> int {
    auto* out = static_cast<LinkState*>(d);
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(n));
    out->ifindex = ifi->ifi_index;
    const auto* end = reinterpret_cast<const char*>(mnl_nlmsg_get_payload_tail(n));
    for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(n, sizeof(ifinfomsg)));
         mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a)));
         a = mnl_attr_next(a)) {
      switch (mnl_attr_get_type(a)) {
        case IFLA_LINK:
          out->parent = static_cast<int>(mnl_attr_get_u32(a));
          break;
        case IFLA_ADDRESS: {
          const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
          out->mac.assign(p, p + mnl_attr_get_payload_len(a));
          break;
        }
        case IFLA_LINKINFO: {
          const auto* nend =
              reinterpret_cast<const char*>(mnl_attr_get_payload(a)) + mnl_attr_get_payload_len(a);
          for (auto* i = static_cast<const nlattr*>(mnl_attr_get_payload(a));
               mnl_attr_ok(i, static_cast<int>(nend - reinterpret_cast<const char*>(i)));
               i = mnl_attr_next(i)) {
            if (mnl_attr_get_type(i) == IFLA_INFO_KIND) out->kind = mnl_attr_get_str(i);
          }
          break;
        }
      }
    }
    return MNL_CB_OK;
  };
  mnl_cb_t fn = cb;
  if (Transact(nlh, reinterpret_cast<void*>(fn), &st) != 0 || st.ifindex == 0) {
    return std::nullopt;
  }
  return st;
}

bool RtnlWriter::DeleteLink(int ifindex, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  int rc = Transact(LinkMessage(buf, RTM_DELLINK, 0, ifindex));
  if (rc == 0 || rc == -ENODEV) return true;
  *error = Failure("removing", "link " + std::to_string(ifindex), rc);
  return false;
}

bool RtnlWriter::SetLinkUp(int ifindex, bool up, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = LinkMessage(buf, RTM_NEWLINK, 0, ifindex);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = up ? IFF_UP : 0;
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure(up ? "setting up" : "setting down", "link " + std::to_string(ifindex), rc);
  return false;
}

bool RtnlWriter::SetAddrGenMode(int ifindex, uint8_t mode, std::string* error) {
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = LinkMessage(buf, RTM_NEWLINK, 0, ifindex);
  nlattr* spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
  nlattr* v6 = mnl_attr_nest_start(nlh, AF_INET6);
  mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, mode);
  mnl_attr_nest_end(nlh, v6);
  mnl_attr_nest_end(nlh, spec);
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure("setting addrgenmode of", "link " + std::to_string(ifindex), rc);
  return false;
}

std::vector<base::IpAddress> LocalAddresses() {
  std::vector<base::IpAddress> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      const auto* s = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
      out.push_back(base::IpAddress::V4(ntohl(s->sin_addr.s_addr)));
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      const auto* s = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      std::array<uint8_t, 16> b{};
      std::memcpy(b.data(), &s->sin6_addr, 16);
      out.push_back(base::IpAddress::V6(b));
    }
  }
  ::freeifaddrs(list);
  return out;
}

std::optional<InterfaceInfo> LookupInterface(const std::string& name) {
  InterfaceInfo info;
  info.ifindex = static_cast<int>(::if_nametoindex(name.c_str()));
  if (info.ifindex == 0) return std::nullopt;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_name || name != i->ifa_name) continue;
      info.up = (i->ifa_flags & IFF_UP) && (i->ifa_flags & IFF_RUNNING);
      if (!i->ifa_addr) continue;
      if (i->ifa_addr->sa_family == AF_INET && !info.primary_v4) {
        const auto* s = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        info.primary_v4 = base::IpAddress::V4(ntohl(s->sin_addr.s_addr));
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        const auto* s = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr) && !info.link_local_v6) {
          std::array<uint8_t, 16> b{};
          std::memcpy(b.data(), &s->sin6_addr, 16);
          info.link_local_v6 = base::IpAddress::V6(b);
        }
      }
    }
    ::freeifaddrs(list);
  }
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    if (::ioctl(fd, SIOCGIFHWADDR, &ifr) == 0 && ifr.ifr_hwaddr.sa_family == ARPHRD_ETHER) {
      info.mac.assign(ifr.ifr_hwaddr.sa_data, ifr.ifr_hwaddr.sa_data + 6);
    }
    ::close(fd);
  }
  return info;
}

LinkMonitor::LinkMonitor(LinkMonitor&& o) noexcept : nl_(o.nl_) { o.nl_ = nullptr; }

LinkMonitor::~LinkMonitor() {
  if (nl_) mnl_socket_close(static_cast<mnl_socket*>(nl_));
}

std::optional<LinkMonitor> LinkMonitor::Open(std::string* error, bool addresses) {
  mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
  unsigned groups = RTMGRP_LINK;
  if (addresses) groups |= RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
  if (!nl || mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
    *error = std::string("netlink link monitor: ") + std::strerror(errno);
    if (nl) mnl_socket_close(nl);
    return std::nullopt;
  }
  return LinkMonitor(nl);
}

int LinkMonitor::fd() const { return mnl_socket_get_fd(static_cast<mnl_socket*>(nl_)); }

namespace {

struct ReadState {
  std::vector<LinkMonitor::Change>* links;
  std::vector<LinkMonitor::AddressChange>* addresses;
};

int OnAddress(const nlmsghdr* nlh, ReadState& st) {
  if (!st.addresses || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifaddrmsg))) return MNL_CB_OK;
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return MNL_CB_OK;
  size_t len = ifa->ifa_family == AF_INET ? 4 : 16;
  const void* local = nullptr;
  const void* address = nullptr;
  const auto* end = reinterpret_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  for (auto* a = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifaddrmsg)));
       mnl_attr_ok(a, static_cast<int>(end - reinterpret_cast<const char*>(a)));
       a = mnl_attr_next(a)) {
    if (mnl_attr_get_payload_len(a) != len) continue;
    if (mnl_attr_get_type(a) == IFA_LOCAL) local = mnl_attr_get_payload(a);
    if (mnl_attr_get_type(a) == IFA_ADDRESS) address = mnl_attr_get_payload(a);
  }
  const void* which = local ? local : address;  // IPv6 carries only IFA_ADDRESS
  if (!which) return MNL_CB_OK;
  base::IpAddress ip;
  if (len == 4) {
    uint32_t v;
    std::memcpy(&v, which, 4);
    ip = base::IpAddress::V4(ntohl(v));
  } else {
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), which, 16);
    ip = base::IpAddress::V6(b);
  }
  st.addresses->push_back({static_cast<int>(ifa->ifa_index), base::Prefix{ip, ifa->ifa_prefixlen},
                           nlh->nlmsg_type == RTM_NEWADDR});
  return MNL_CB_OK;
}

}  // namespace

std::vector<LinkMonitor::Change> LinkMonitor::Read(std::vector<AddressChange>* addresses) {
  std::vector<Change> out;
  ReadState st{&out, addresses};
  char buf[MNL_SOCKET_BUFFER_SIZE];
  while (true) {
    ssize_t n = mnl_socket_recvfrom(static_cast<mnl_socket*>(nl_), buf, sizeof buf);
    if (n <= 0) break;
    auto cb = [](const nlmsghdr* nlh, void* data) -> int {
      auto& s = *static_cast<ReadState*>(data);
      if (nlh->nlmsg_type == RTM_NEWADDR || nlh->nlmsg_type == RTM_DELADDR) {
        return OnAddress(nlh, s);
      }
      if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return MNL_CB_OK;
      if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg))) return MNL_CB_OK;
      const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
      bool up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
                (ifi->ifi_flags & IFF_RUNNING);
      s.links->push_back(Change{ifi->ifi_index, up});
      return MNL_CB_OK;
    };
    mnl_cb_run(buf, static_cast<size_t>(n), 0, 0, cb, &st);
  }
  return out;
}

}  // namespace vigil::os
