// PING_CHECK's ICMP / ICMPv6 echo (RFC 792, RFC 4443), pure: the echo request, and what a
// received packet means for it. A raw socket sees every ICMP packet of the host (other
// pings, our own request on loopback), so anything that is not our reply, or an error
// quoting our request, is ignored rather than failed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace vigil::check::icmp {

inline constexpr size_t kHeaderSize = 8;

// type, code 0, checksum, id, sequence, payload. The IPv4 checksum is computed; ICMPv6's
// covers a pseudo-header the kernel fills in, so it is left 0 for the kernel.
std::vector<uint8_t> BuildEcho(bool v6, uint16_t id, uint16_t seq,
                               std::span<const uint8_t> payload);

enum class Match {
  kReply,         // our echo reply
  kUnreachable,   // destination unreachable, quoting our request
  kTimeExceeded,  // time exceeded, quoting our request
  kIgnore,        // anything else
};

struct Expect {
  bool v6 = false;
  bool ip_header = false;  // a raw IPv4 socket receives the IP header first
  bool match_id = true;    // false on ICMP datagram sockets, where the kernel sets the id
  uint16_t id = 0, seq = 0;
};

// What `packet` is; *detail names the ICMP type and code of an error.
Match Classify(std::span<const uint8_t> packet, const Expect& e, std::string* detail);

}  // namespace vigil::check::icmp
