// VRRPv2 IP Authentication Header (RFC 2338 §5.3.6.3 with RFC 2402), in the form keepalived
// sends and accepts, pure.
//
// The datagram is an IPv4 header (protocol 51), a 24-byte AH header and the VRRP message
// (auth type 2, auth data zero):
//   next header 112 | payload length 4 | reserved 0 | SPI = the sender's IPv4 address |
//   sequence number | ICV (12 bytes)
// The ICV is the first 96 bits of HMAC-MD5 keyed with the instance's 8 bytes of auth data
// (auth_pass, zero-padded), computed over the IP header with TOS, flags/fragment offset and
// header checksum zeroed (and the TTL too for unicast, where routers may lower it), the AH
// header with the ICV zeroed, and the VRRP message. The sequence number is a replay guard:
// the router (not this codec) accepts only numbers above the highest it has seen.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {

inline constexpr uint8_t kIpProtoAh = 51;
inline constexpr size_t kAhHeaderSize = 24;
inline constexpr size_t kAhIcvSize = 12;  // HMAC-MD5-96
inline constexpr size_t kIpv4HeaderSize = 20;

using AuthKey = std::array<uint8_t, kV2AuthDataSize>;

enum class AhError : uint8_t {
  kLength,      // packet_len_err: shorter than the IP + AH headers, or a bad AH length
  kNextHeader,  // an AH header for another protocol: not ours, ignored uncounted
  kIcv,         // auth_failure: the HMAC does not verify (wrong key or altered fields)
  kSpi,         // auth_failure: the SPI is not the source address
};
std::string_view AhErrorName(AhError e);

struct AhVerified {
  uint32_t sequence = 0;
  std::span<const uint8_t> message;  // the VRRP message that follows the AH header
};

// Verifies `ip_header` (the received IPv4 header, options included) and `after_ip` (the AH
// header and the VRRP message). `unicast`: the TTL is not covered (keepalived's rule).
std::variant<AhVerified, AhError> VerifyAh(std::span<const uint8_t> ip_header,
                                           std::span<const uint8_t> after_ip, const AuthKey& key,
                                           bool unicast);

// What goes into the IPv4 header that AH covers.
struct AhIpFields {
  base::IpAddress source, destination;  // IPv4
  uint16_t id = 1;  // REQUIRES: non-zero (the kernel replaces a zero id, breaking the ICV)
  uint8_t ttl = 255;
  uint8_t tos = 0xc0;  // DSCP CS6
};

// The whole IPv4 datagram (header with a zero checksum for the kernel to fill in, AH header,
// `message`) for a socket with IP_HDRINCL.
std::vector<uint8_t> BuildAhDatagram(std::span<const uint8_t> message, const AhIpFields& ip,
                                     const AuthKey& key, uint32_t sequence, bool unicast);

}  // namespace vigil::vrrp
