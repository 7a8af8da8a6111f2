#include "vrrp/packet.h"

#include "base/checksum.h"

namespace vigil::vrrp {
namespace {

size_t AddressSize(bool v4) { return v4 ? 4 : 16; }

}  // namespace

std::string_view DecodeErrorName(DecodeError e) {
  switch (e) {
    case DecodeError::kPacketLength:
      return "packet_len_err";
    case DecodeError::kVersion:
      return "version_err";
    case DecodeError::kType:
      return "invalid_type_rcvd";
    case DecodeError::kChecksum:
      return "checksum_err";
    case DecodeError::kAddressFamily:
      return "address_family_err";
  }
  return "?";
}

uint16_t ComputeChecksum(std::span<const uint8_t> msg, uint8_t version,
                         const base::IpAddress& source, const base::IpAddress& destination,
                         ChecksumMode mode) {
  base::InetChecksum sum;
  bool v4 = source.is_v4();
  // RFC 5798 §5.2.8: VRRPv3 includes the pseudo-header (RFC 2460 §8.1 for IPv6); VRRPv2
  // (RFC 3768 §5.3.8) and the message-only IPv4 v3 variant do not.
  bool pseudo = version == 3 && (!v4 || mode == ChecksumMode::kPseudoHeader);
  if (pseudo) {
    size_t n = AddressSize(v4);
    sum.Add(std::span(source.bytes().data(), n));
    sum.Add(std::span(destination.bytes().data(), n));
    if (v4) {
      sum.AddU16(kIpProtoVrrp);
      sum.AddU16(static_cast<uint16_t>(msg.size()));
    } else {
      uint32_t len = static_cast<uint32_t>(msg.size());
      sum.AddU16(static_cast<uint16_t>(len >> 16));
      sum.AddU16(static_cast<uint16_t>(len));
      sum.AddU16(kIpProtoVrrp);
    }
  }
  // The message with its checksum field (bytes 6-7) counted as zero.
  if (msg.size() >= kHeaderSize) {
    sum.Add(msg.subspan(0, 6));
    sum.Add(msg.subspan(8));
  } else {
    sum.Add(msg);
  }
  return sum.Finish();
}

std::variant<Decoded, DecodeError> Decode(std::span<const uint8_t> m, const RxMeta& meta,
                                          const DecodeOptions& options) {
  if (m.size() < kHeaderSize) return DecodeError::kPacketLength;
  if (meta.source.family() != meta.destination.family()) return DecodeError::kAddressFamily;
  bool v4 = meta.source.is_v4();
  Decoded d;
  Advertisement& a = d.advert;
  a.version = m[0] >> 4;
  uint8_t type = m[0] & 0x0f;
  if (a.version != 2 && a.version != 3) return DecodeError::kVersion;
  if (a.version == 2 && !v4) return DecodeError::kVersion;  // RFC 3768 is IPv4 only
  if (type != kTypeAdvertisement) return DecodeError::kType;
  a.vrid = m[1];
  a.priority = m[2];
  size_t count = m[3];
  size_t addr_size = AddressSize(v4);
  size_t needed = kHeaderSize + count * addr_size + (a.version == 2 ? kV2AuthDataSize : 0);
  if (m.size() < needed) return DecodeError::kPacketLength;
  if (a.version == 2) {
    a.auth_type = static_cast<AuthType>(m[4]);
    a.adver_int = m[5];
  } else {
    a.adver_int = static_cast<uint16_t>(((m[4] & 0x0f) << 8) | m[5]);
  }
  // The checksum covers the message as sent; trailing bytes beyond it would belong to it.
  std::span<const uint8_t> msg = m.subspan(0, needed);
  uint16_t wire = static_cast<uint16_t>((m[6] << 8) | m[7]);
  bool ok = false;
  if (a.version == 3 && v4) {
    if (options.accept_pseudo_header && ComputeChecksum(msg, 3, meta.source, meta.destination,
                                                        ChecksumMode::kPseudoHeader) == wire) {
      ok = true;
      d.checksum_mode = ChecksumMode::kPseudoHeader;
    } else if (options.accept_message_only && ComputeChecksum(msg, 3, meta.source, meta.destination,
                                                              ChecksumMode::kMessageOnly) == wire) {
      ok = true;
      d.checksum_mode = ChecksumMode::kMessageOnly;
    }
  } else {
    ok = ComputeChecksum(msg, a.version, meta.source, meta.destination,
                         ChecksumMode::kPseudoHeader) == wire;
  }
  if (!ok) return DecodeError::kChecksum;
  const uint8_t* p = m.data() + kHeaderSize;
  for (size_t i = 0; i < count; ++i, p += addr_size) {
    if (v4) {
      a.addresses.push_back(base::IpAddress::V4((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                                                (uint32_t{p[2]} << 8) | p[3]));
    } else {
      std::array<uint8_t, 16> b{};
      std::copy(p, p + 16, b.begin());
      a.addresses.push_back(base::IpAddress::V6(b));
    }
  }
  if (a.version == 2) std::copy(p, p + kV2AuthDataSize, a.auth_data.begin());
  return d;
}

std::vector<uint8_t> Encode(const Advertisement& a, const base::IpAddress& source,
                            const base::IpAddress& destination, ChecksumMode mode) {
  bool v4 = source.is_v4();
  std::vector<uint8_t> out;
  out.reserve(kHeaderSize + a.addresses.size() * AddressSize(v4) + kV2AuthDataSize);
  out.push_back(static_cast<uint8_t>((a.version << 4) | kTypeAdvertisement));
  out.push_back(a.vrid);
  out.push_back(a.priority);
  out.push_back(static_cast<uint8_t>(a.addresses.size()));
  if (a.version == 2) {
    out.push_back(static_cast<uint8_t>(a.auth_type));
    out.push_back(static_cast<uint8_t>(a.adver_int));
  } else {
    out.push_back(static_cast<uint8_t>((a.adver_int >> 8) & 0x0f));  // 4 reserved bits zero
    out.push_back(static_cast<uint8_t>(a.adver_int));
  }
  out.push_back(0);
  out.push_back(0);
  for (const auto& addr : a.addresses) {
    const auto& b = addr.bytes();
    out.insert(out.end(), b.begin(), b.begin() + static_cast<long>(AddressSize(v4)));
  }
  if (a.version == 2) out.insert(out.end(), a.auth_data.begin(), a.auth_data.end());
  uint16_t c = ComputeChecksum(out, a.version, source, destination, mode);
  out[6] = static_cast<uint8_t>(c >> 8);
  out[7] = static_cast<uint8_t>(c);
  return out;
}

}  // namespace vigil::vrrp
