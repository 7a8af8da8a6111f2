// VRRP advertisement codec: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798, RFC 9568), IPv4 and
// IPv6, with keepalived's v2 PASS authentication data.
//
// The codec only checks structure (lengths, version, type, checksum, address count); the
// router checks semantics (VRID, priority, intervals, addresses, TTL, authentication). Decode
// takes the VRRP message bytes (what follows the IP header, or the AH header) plus what the
// socket said about the datagram, never a socket type, so it is tested and fuzzed without
// the network. Every rejection has a named reason that maps to keepalived's counters.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip.h"

namespace vigil::vrrp {

// RFC 5798 §5.2.2: the only type defined.
inline constexpr uint8_t kTypeAdvertisement = 1;
inline constexpr uint8_t kIpProtoVrrp = 112;
inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kV2AuthDataSize = 8;  // RFC 3768 §5.3.10

// RFC 3768 §5.3.6 (and keepalived): 0 none, 1 simple text password, 2 IP Authentication
// Header (RFC 2338).
enum class AuthType : uint8_t { kNone = 0, kPass = 1, kAh = 2 };

// How the IPv4 VRRPv3 checksum is computed. RFC 5798 §5.2.8 includes the IPv4 pseudo-header;
// RFC 9568 and keepalived's `v3_checksum_as_v2` (what some vendors send) cover only the VRRP
// message. IPv6 always uses the pseudo-header; VRRPv2 never does.
enum class ChecksumMode : uint8_t { kPseudoHeader, kMessageOnly };

struct Advertisement {
  uint8_t version = 3;  // 2 or 3
  uint8_t vrid = 0;
  uint8_t priority = 0;
  // VRRPv3: Max Adver Int in centiseconds (12 bits). VRRPv2: Adver Int in seconds (8 bits).
  uint16_t adver_int = 0;
  std::vector<base::IpAddress> addresses;            // all of one family
  AuthType auth_type = AuthType::kNone;              // VRRPv2 only
  std::array<uint8_t, kV2AuthDataSize> auth_data{};  // VRRPv2 only, as on the wire

  bool operator==(const Advertisement&) const = default;
};

// What the receiving socket reported about the datagram.
struct RxMeta {
  base::IpAddress source;
  base::IpAddress destination;
  int ttl = 255;  // TTL or hop limit
};

// Why a message was rejected. The names follow keepalived's counters where one exists.
enum class DecodeError : uint8_t {
  kPacketLength,   // packet_len_err: shorter than the header or than its address list
  kVersion,        // not 2 or 3 (or v2 over IPv6)
  kType,           // invalid_type_rcvd
  kChecksum,       // checksum does not verify in an accepted mode
  kAddressFamily,  // source and destination of different families
};
std::string_view DecodeErrorName(DecodeError e);

struct DecodeOptions {
  // IPv4 VRRPv3 checksum conventions accepted on receive (keepalived accepts the message-only
  // one when v3_checksum_as_v2 is set, and both on unicast with old_unicast_checksum).
  bool accept_pseudo_header = true;
  bool accept_message_only = false;
};

struct Decoded {
  Advertisement advert;
  ChecksumMode checksum_mode = ChecksumMode::kPseudoHeader;  // which one verified (v3 IPv4)
};

std::variant<Decoded, DecodeError> Decode(std::span<const uint8_t> message, const RxMeta& meta,
                                          const DecodeOptions& options = {});

// Encodes `advert` for sending from `source` to `destination` (the checksum needs both for
// VRRPv3). REQUIRES: every address and both endpoints of one family; at most 255 addresses.
std::vector<uint8_t> Encode(const Advertisement& advert, const base::IpAddress& source,
                            const base::IpAddress& destination,
                            ChecksumMode mode = ChecksumMode::kPseudoHeader);

// The checksum the message should carry (its checksum field is treated as zero).
uint16_t ComputeChecksum(std::span<const uint8_t> message, uint8_t version,
                         const base::IpAddress& source, const base::IpAddress& destination,
                         ChecksumMode mode);

}  // namespace vigil::vrrp
