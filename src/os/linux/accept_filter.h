// RFC 5798 Accept_Mode False (keepalived's no_accept, the default under vrrp_strict): a
// Master that does not own its virtual addresses must not accept packets sent to them. The
// addresses go into nftables sets that an input-hook rule drops (ARP is untouched; IPv6
// neighbour discovery is let through so the addresses stay reachable at layer 2):
//
//   table inet keepalived { set vips {...}; set vips6 {...}; chain in { ... } }
//
// The table name is keepalived's default (global_defs `nftables NAME` changes it), the hook
// priority -1 (`nftables_priority`), and `nftables_counters` puts a counter on each rule. The
// table is created on first use, replacing any left by a crash, and deleted by Close().
#pragma once

#include <string>

#include "base/ip.h"

namespace vigil::os {

class AcceptFilter {
 public:
  struct Options {
    std::string table = "keepalived";
    int priority = -1;
    bool counters = false;
  };
  explicit AcceptFilter(Options o) : options_(std::move(o)), table_(options_.table) {}
  AcceptFilter(const AcceptFilter&) = delete;
  AcceptFilter& operator=(const AcceptFilter&) = delete;
  ~AcceptFilter();

  // Starts or stops dropping packets addressed to `a`. Idempotent. On failure returns
  // false and sets *error (nftables' own message).
  bool Block(const base::IpAddress& a, std::string* error);
  bool Unblock(const base::IpAddress& a, std::string* error);

  // Deletes the table (at shutdown), if it was created.
  void Close();

 private:
  bool Run(const std::string& commands, std::string* error);
  bool Ensure(std::string* error);

  Options options_;
  std::string table_;
  void* ctx_ = nullptr;  // struct nft_ctx*
  bool created_ = false;
};

}  // namespace vigil::os
