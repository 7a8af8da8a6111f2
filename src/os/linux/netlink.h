// rtnetlink through libmnl: adding and removing addresses (idempotently), reading an
// interface's addresses and state, and watching links go up and down.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/ip.h"

namespace vigil::os {

struct AddressSpec {
  base::Prefix prefix;
  int ifindex = 0;
  std::string label;  // IPv4 only; must start with the interface name
};

// One rtnetlink socket kept open for address changes: when a thousand instances change
// state at once, opening a socket per change would cost more than the changes.
class AddressWriter {
 public:
  AddressWriter(AddressWriter&& o) noexcept;
  AddressWriter(const AddressWriter&) = delete;
  ~AddressWriter();
  static std::optional<AddressWriter> Open(std::string* error);
  // Adds `a` (RTM_NEWADDR). An address already present is success. Returns false and sets
  // *error otherwise.
  bool Add(const AddressSpec& a, std::string* error);
  // Removes `a` (RTM_DELADDR). An address already absent is success.
  bool Delete(const AddressSpec& a, std::string* error);

 private:
  explicit AddressWriter(void* nl, unsigned portid) : nl_(nl), portid_(portid) {}
  int Request(uint16_t type, uint16_t flags, const AddressSpec& a);
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

// A netlink socket subscribed to link notifications (RTMGRP_LINK).
class LinkMonitor {
 public:
  struct Change {
    int ifindex;
    bool up;
  };
  LinkMonitor(LinkMonitor&& o) noexcept;
  LinkMonitor(const LinkMonitor&) = delete;
  ~LinkMonitor();
  static std::optional<LinkMonitor> Open(std::string* error);
  int fd() const;
  // Reads what is waiting (non-blocking) and returns the link changes in it.
  std::vector<Change> Read();

 private:
  explicit LinkMonitor(void* nl) : nl_(nl) {}
  void* nl_;  // struct mnl_socket*
};

}  // namespace vigil::os
