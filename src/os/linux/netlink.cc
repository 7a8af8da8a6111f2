#include "os/linux/netlink.h"

// <net/if.h> before any <linux/...> header: the kernel's if.h clashes with glibc's otherwise.
#include <net/if.h>
#include <net/if_arp.h>
// clang-format off
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
// clang-format on
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::os {

AddressWriter::AddressWriter(AddressWriter&& o) noexcept
    : nl_(o.nl_), portid_(o.portid_), seq_(o.seq_) {
  o.nl_ = nullptr;
}

AddressWriter::~AddressWriter() {
  if (nl_) mnl_socket_close(static_cast<mnl_socket*>(nl_));
}

std::optional<AddressWriter> AddressWriter::Open(std::string* error) {
  mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    *error = std::string("netlink (addresses): ") + std::strerror(errno);
    if (nl) mnl_socket_close(nl);
    return std::nullopt;
  }
  return AddressWriter(nl, mnl_socket_get_portid(nl));
}

// One request, one acknowledgement. Returns 0 or a negative errno.
int AddressWriter::Request(uint16_t type, uint16_t flags, const AddressSpec& a) {
  auto* nl = static_cast<mnl_socket*>(nl_);
  char buf[MNL_SOCKET_BUFFER_SIZE];
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  uint32_t seq = nlh->nlmsg_seq = seq_++;
  auto* ifa = static_cast<ifaddrmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifaddrmsg)));
  bool v4 = a.prefix.address.is_v4();
  ifa->ifa_family = v4 ? AF_INET : AF_INET6;
  ifa->ifa_prefixlen = a.prefix.length;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<unsigned>(a.ifindex);
  size_t len = v4 ? 4 : 16;
  mnl_attr_put(nlh, IFA_LOCAL, len, a.prefix.address.bytes().data());
  mnl_attr_put(nlh, IFA_ADDRESS, len, a.prefix.address.bytes().data());
  if (v4 && !a.label.empty()) mnl_attr_put_strz(nlh, IFA_LABEL, a.label.c_str());
  if (!v4) {
    // A VIP must be usable at once: no duplicate address detection.
    uint32_t f = IFA_F_NODAD;
    mnl_attr_put_u32(nlh, IFA_FLAGS, f);
  }
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return -errno;
  // The kernel answers in order; skip anything stale (an earlier answer we gave up on).
  while (true) {
    ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
    if (n < 0) return -errno;
    int rc = mnl_cb_run(buf, static_cast<size_t>(n), seq, portid_, nullptr, nullptr);
    if (rc < 0 && errno == EPROTO) continue;  // sequence mismatch: not our answer
    return rc < 0 ? -errno : 0;
  }
}

bool AddressWriter::Add(const AddressSpec& a, std::string* error) {
  int rc = Request(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, a);
  if (rc == 0 || rc == -EEXIST) return true;
  *error = std::string("adding ") + a.prefix.ToString() + ": " + std::strerror(-rc);
  return false;
}

bool AddressWriter::Delete(const AddressSpec& a, std::string* error) {
  int rc = Request(RTM_DELADDR, 0, a);
  if (rc == 0 || rc == -EADDRNOTAVAIL || rc == -ENODEV) return true;
  *error = std::string("removing ") + a.prefix.ToString() + ": " + std::strerror(-rc);
  return false;
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

std::optional<LinkMonitor> LinkMonitor::Open(std::string* error) {
  mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (!nl || mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0) {
    *error = std::string("netlink link monitor: ") + std::strerror(errno);
    if (nl) mnl_socket_close(nl);
    return std::nullopt;
  }
  return LinkMonitor(nl);
}

int LinkMonitor::fd() const { return mnl_socket_get_fd(static_cast<mnl_socket*>(nl_)); }

std::vector<LinkMonitor::Change> LinkMonitor::Read() {
  std::vector<Change> out;
  char buf[MNL_SOCKET_BUFFER_SIZE];
  while (true) {
    ssize_t n = mnl_socket_recvfrom(static_cast<mnl_socket*>(nl_), buf, sizeof buf);
    if (n <= 0) break;
    auto cb = [](const nlmsghdr* nlh, void* data) -> int {
      if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return MNL_CB_OK;
      if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifinfomsg))) return MNL_CB_OK;
      const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
      bool up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
                (ifi->ifi_flags & IFF_RUNNING);
      static_cast<std::vector<Change>*>(data)->push_back(Change{ifi->ifi_index, up});
      return MNL_CB_OK;
    };
    mnl_cb_run(buf, static_cast<size_t>(n), 0, 0, cb, &out);
  }
  return out;
}

}  // namespace vigil::os
