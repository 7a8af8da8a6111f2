// IPVS, the kernel's layer-4 load balancer, programmed through its generic netlink family
// ("IPVS", linux/ip_vs.h) with libmnl: virtual services, their real servers (destinations) and
// the connection-sync daemon, as ipvsadm and keepalived's checker do it with libnl. The daemon
// turns the lb module's desired table into these calls; this layer knows nothing of lb.
#pragma once

// clang-format off
#include <netinet/in.h>
#include <linux/ip_vs.h>
// clang-format on

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

// A virtual service as the kernel keeps it. A fwmark service (fwmark != 0) has no protocol,
// address or port; it still has a family.
struct IpvsService {
  int family = AF_INET;        // AF_INET or AF_INET6
  int protocol = IPPROTO_TCP;  // IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP; unused with fwmark
  base::IpAddress address;     // unused with fwmark
  uint16_t port = 0;           // host order; unused with fwmark
  uint32_t fwmark = 0;
  std::string scheduler = "wlc";  // ipvsadm's default
  // IP_VS_SVC_F_PERSISTENT, ONEPACKET, SCHED1..3 (sh/mh: SCHED_SH_FALLBACK = SCHED1,
  // SCHED_SH_PORT = SCHED2). The kernel adds IP_VS_SVC_F_HASHED to what it reports.
  uint32_t flags = 0;
  uint32_t timeout = 0;  // persistence, seconds
  // Persistence granularity. IPv4: the mask as the kernel keeps it, a u32 in network order
  // (htonl(0xffffff00) for /24); IPv6: a prefix length (1..128). 0 = the family's full
  // length (255.255.255.255 or 128), which is what the kernel then reports.
  uint32_t netmask = 0;
  std::string pe_name;  // persistence engine ("sip"); empty for none
};

// A real server of a service.
struct IpvsDest {
  base::IpAddress address;
  uint16_t port = 0;                        // host order
  uint32_t fwd_method = IP_VS_CONN_F_MASQ;  // MASQ, DROUTE, TUNNEL (LOCALNODE, BYPASS)
  int weight = 1;                           // 0: no new connections
  uint32_t u_threshold = 0, l_threshold = 0;
  int family = 0;  // AF_INET / AF_INET6; 0 = the address's family
  // Tunnel (fwd_method TUNNEL) only.
  uint16_t tun_type = IP_VS_CONN_F_TUNNEL_TYPE_IPIP;  // IPIP, GUE, GRE
  uint16_t tun_port = 0;                              // GUE: the UDP port, host order
  uint16_t tun_flags = 0;                             // IP_VS_TUNNEL_ENCAP_FLAG_*
  // Reported by the kernel; ignored when sent.
  uint32_t active_conns = 0, inactive_conns = 0, persist_conns = 0;
};

// The connection-sync daemon (master sends, backup receives). Unset options take the kernel's
// defaults (maxlen from the interface MTU, group 224.0.0.81, port 8848, ttl 1); a listing
// reports them all.
struct IpvsSyncDaemon {
  int state = IP_VS_STATE_MASTER;  // IP_VS_STATE_MASTER or IP_VS_STATE_BACKUP
  std::string mcast_ifn;
  int syncid = 0;  // 0..255
  std::optional<uint16_t> maxlen;
  std::optional<base::IpAddress> mcast_group;  // IPv4 or IPv6 multicast
  std::optional<uint16_t> mcast_port;          // host order
  std::optional<uint8_t> mcast_ttl;
};

// The connection timeouts, in seconds (ipvsadm --set). In SetTimeouts a 0 leaves that one as
// it is.
struct IpvsTimeouts {
  uint32_t tcp = 0, tcp_fin = 0, udp = 0;
  bool operator==(const IpvsTimeouts&) const = default;
};

// One generic netlink socket to the kernel's IPVS. Every method returns false and sets *error
// (what was being done and the kernel's answer) on failure; nothing is treated as idempotent:
// adding what exists fails with "File exists", deleting what is absent with "No such ..."
// (the kernel says ESRCH for a missing service, ENOENT for a missing destination). Not
// thread-safe.
class Ipvs {
 public:
  // Opens the socket and resolves the family; fails with "the kernel has no IPVS (modprobe
  // ip_vs)" when the family is not registered.
  static std::optional<Ipvs> Open(std::string* error);
  Ipvs(Ipvs&& o) noexcept;
  Ipvs& operator=(Ipvs&& o) noexcept;
  Ipvs(const Ipvs&) = delete;
  Ipvs& operator=(const Ipvs&) = delete;
  ~Ipvs();

  bool ListServices(std::vector<IpvsService>* out, std::string* error);
  // The service that `key` identifies (family and fwmark, or protocol, address and port).
  bool GetService(const IpvsService& key, IpvsService* out, std::string* error);
  bool AddService(const IpvsService& s, std::string* error);
  bool EditService(const IpvsService& s, std::string* error);  // scheduler, flags, persistence
  bool DelService(const IpvsService& s, std::string* error);
  // Fails if the service does not exist (the kernel's dump would just be empty).
  bool ListDests(const IpvsService& s, std::vector<IpvsDest>* out, std::string* error);
  bool AddDest(const IpvsService& s, const IpvsDest& d, std::string* error);
  bool EditDest(const IpvsService& s, const IpvsDest& d, std::string* error);
  bool DelDest(const IpvsService& s, const IpvsDest& d, std::string* error);
  // Removes every service and destination (not the sync daemons).
  bool Flush(std::string* error);
  bool SetTimeouts(const IpvsTimeouts& t, std::string* error);
  bool GetTimeouts(IpvsTimeouts* out, std::string* error);

  bool StartSyncDaemon(const IpvsSyncDaemon& d, std::string* error);
  bool StopSyncDaemon(int state, std::string* error);
  bool ListSyncDaemons(std::vector<IpvsSyncDaemon>* out, std::string* error);

 private:
  Ipvs(void* nl, unsigned portid, uint16_t family);
  // Sends the request in buf_ (its header and genl header filled) and reads the answer until
  // the ack or the end of the dump; `fn` sees every data message. 0 or a negative errno.
  int Transact(void* nlh, void (*fn)(const void* nlh, void* data) = nullptr, void* data = nullptr);
  void* Request(uint8_t cmd, uint16_t flags);  // a fresh message in buf_; returns the nlmsghdr
  bool Change(uint8_t cmd, const IpvsService* s, const IpvsDest* d, const std::string& what,
              std::string* error);

  void* nl_ = nullptr;  // struct mnl_socket*
  unsigned portid_ = 0;
  uint16_t family_ = 0;  // the generic netlink id of "IPVS"
  uint32_t seq_ = 0;
  std::vector<char> buf_;
};

}  // namespace vigil::os
