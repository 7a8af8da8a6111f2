// The nftables form of a load-balancer table, pure: the text of one libnftables transaction
// that replaces Vigil's table with NAT virtual servers as DNAT rules. Weighted schedulers
// spread new connections over the destinations in proportion to their weights:
//   rr / wrr   numgen inc mod TOTAL map { 0-0 : A, 1-2 : B, ... }   (round robin)
//   sh         jhash of the source address mod TOTAL, same map       (source hashing)
// A destination of weight 0 (inhibit_on_failure) gets no share. The IPVS-only schedulers
// (wlc, lc, sed, nq, lblc, lblcr, dh, mh, fo, ovf, twos) have no nftables form and are
// reported; so are DR/TUN destinations, which nftables NAT cannot forward.
#pragma once

#include <string>
#include <vector>

#include "lb/desired.h"

namespace vigil::lb {

// Empty if `s` can be rendered; else why not (for a config error naming it).
std::string NftUnsupported(const Service& s);

// The transaction: the table `table` (family ip, or ip6 / inet as the addresses require)
// created if missing, flushed, and rebuilt with one rule per service that has a destination
// with weight. Applying it is atomic: a client sees the old table or the new one.
std::string RenderNft(const std::vector<Service>& services, const std::string& table);

}  // namespace vigil::lb
