// rtnetlink through libmnl: adding and removing addresses (idempotently), reading an
// interface's addresses and state, and watching links go up and down.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"
#include "os/linux/routes.h"

namespace vigil::os {

struct AddressSpec {
  base::Prefix prefix;
  int ifindex = 0;
  std::string label;                         // IPv4 only; must start with the interface name
  uint8_t scope = 0;                         // RT_SCOPE_UNIVERSE ("global")
  std::optional<base::IpAddress> broadcast;  // IPv4 only
  std::optional<base::IpAddress> peer;       // point-to-point: the prefix is the peer's
  std::optional<uint32_t> preferred_lft;     // seconds; 0 = deprecated
  bool home = false, mngtmpaddr = false, noprefixroute = false, autojoin = false;
  bool operator==(const AddressSpec&) const = default;
};

// A macvlan or ipvlan on top of `parent` (keepalived's use_vmac / use_ipvlan).
struct LinkSpec {
  enum class Kind { kMacvlan, kIpvlan };
  Kind kind = Kind::kMacvlan;
  std::string name;
  int parent = 0;
  std::vector<uint8_t> mac;   // macvlan: its address (6 bytes); ipvlan shares the parent's
  uint32_t macvlan_mode = 1;  // MACVLAN_MODE_PRIVATE
  uint16_t ipvlan_flags = 0;  // IPVLAN_F_PRIVATE / IPVLAN_F_VEPA; 0 = bridge (mode l2)
};

// What rtnetlink says of an existing link.
struct LinkState {
  int ifindex = 0;
  std::string kind;  // IFLA_INFO_KIND: "macvlan", "veth", ...; "" for a physical device
  int parent = 0;    // IFLA_LINK
  std::vector<uint8_t> mac;
};

// One rtnetlink socket kept open for address, route and rule changes: when a thousand
// instances change state at once, opening a socket per change would cost more than the
// changes. Every change is idempotent: adding what exists or removing what is absent is
// success. On failure the methods return false and set *error.
class RtnlWriter {
 public:
  RtnlWriter(RtnlWriter&& o) noexcept;
  RtnlWriter(const RtnlWriter&) = delete;
  ~RtnlWriter();
  static std::optional<RtnlWriter> Open(std::string* error);
  bool AddAddress(const AddressSpec& a, std::string* error);     // RTM_NEWADDR
  bool DeleteAddress(const AddressSpec& a, std::string* error);  // RTM_DELADDR
  bool AddRoute(const RouteSpec& r, std::string* error);         // RTM_NEWROUTE
  bool DeleteRoute(const RouteSpec& r, std::string* error);      // RTM_DELROUTE
  bool AddRule(const RuleSpec& r, std::string* error);           // RTM_NEWRULE
  bool DeleteRule(const RuleSpec& r, std::string* error);        // RTM_DELRULE
  // Virtual links (VMAC): creates `l`, down; fails if the name is taken.
  bool AddLink(const LinkSpec& l, std::string* error);        // RTM_NEWLINK
  std::optional<LinkState> GetLink(const std::string& name);  // RTM_GETLINK; nullopt if absent
  bool DeleteLink(int ifindex, std::string* error);           // RTM_DELLINK; absent is success
  bool SetLinkUp(int ifindex, bool up, std::string* error);
  // IPv6 address generation mode (IN6_ADDR_GEN_MODE_*); only while the link is down.
  bool SetAddrGenMode(int ifindex, uint8_t mode, std::string* error);

 private:
  explicit RtnlWriter(void* nl, unsigned portid) : nl_(nl), portid_(portid) {}
  // Sends one request; 0 or a negative errno from the answer. `cb` (an mnl_cb_t) sees the
  // answer's data messages.
  int Transact(void* nlh, void* cb = nullptr, void* data = nullptr);
  void* nl_;  // struct mnl_socket*
  unsigned portid_;
  uint32_t seq_ = 1;
};

struct InterfaceInfo {
  int ifindex = 0;
  bool up = false;  // administratively up and carrier present (IFF_UP and IFF_RUNNING)
  std::optional<base::IpAddress> primary_v4;
  std::optional<base::IpAddress> link_local_v6;
  std::vector<uint8_t> mac;
};

// Looks up an interface by name (getifaddrs and ioctl; no netlink socket needed).
std::optional<InterfaceInfo> LookupInterface(const std::string& name);

// Every address configured on an interface of this network namespace (getifaddrs), for
// ha_suspend's "is the virtual server's address here?".
std::vector<base::IpAddress> LocalAddresses();

// A netlink socket subscribed to link notifications (RTMGRP_LINK), and, if asked, to address
// notifications (RTMGRP_IPV4_IFADDR, RTMGRP_IPV6_IFADDR).
class LinkMonitor {
 public:
  struct Change {
    int ifindex;
    bool up;
  };
  struct AddressChange {
    int ifindex;
    base::Prefix prefix;
    bool added;  // RTM_NEWADDR; false for RTM_DELADDR
  };
  LinkMonitor(LinkMonitor&& o) noexcept;
  LinkMonitor(const LinkMonitor&) = delete;
  ~LinkMonitor();
  static std::optional<LinkMonitor> Open(std::string* error, bool addresses = false);
  int fd() const;
  // Reads what is waiting (non-blocking) and returns the link changes in it; address changes
  // go to *addresses, if given.
  std::vector<Change> Read(std::vector<AddressChange>* addresses = nullptr);

 private:
  explicit LinkMonitor(void* nl) : nl_(nl) {}
  void* nl_;  // struct mnl_socket*
};

}  // namespace vigil::os
