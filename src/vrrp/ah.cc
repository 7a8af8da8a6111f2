#include "vrrp/ah.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>

namespace vigil::vrrp {
namespace {

// AH payload length: the header's length in 32-bit words minus 2 (RFC 2402 §2.2).
constexpr uint8_t kAhPayloadLength = kAhHeaderSize / 4 - 2;

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// The ICV over a copy of the IP and AH headers with the mutable fields zeroed, then the
// message. `headers` is modified.
std::array<uint8_t, kAhIcvSize> Icv(std::span<uint8_t> headers, size_t ihl,
                                    std::span<const uint8_t> message, const AuthKey& key,
                                    bool unicast) {
  headers[1] = 0;                 // TOS
  headers[6] = headers[7] = 0;    // flags, fragment offset
  headers[10] = headers[11] = 0;  // header checksum
  if (unicast) headers[8] = 0;    // TTL
  std::memset(headers.data() + ihl + 12, 0, kAhIcvSize);
  std::vector<uint8_t> covered(headers.begin(), headers.end());
  covered.insert(covered.end(), message.begin(), message.end());
  std::array<uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()), covered.data(), covered.size(),
       digest.data(), &len);
  std::array<uint8_t, kAhIcvSize> icv{};
  std::memcpy(icv.data(), digest.data(), kAhIcvSize);
  return icv;
}

}  // namespace

std::string_view AhErrorName(AhError e) {
  switch (e) {
    case AhError::kLength:
      return "ah_length";
    case AhError::kNextHeader:
      return "ah_next_header";
    case AhError::kIcv:
      return "ah_icv";
    case AhError::kSpi:
      return "ah_spi";
  }
  return "?";
}

std::variant<AhVerified, AhError> VerifyAh(std::span<const uint8_t> ip_header,
                                           std::span<const uint8_t> after_ip, const AuthKey& key,
                                           bool unicast) {
  size_t ihl = ip_header.size();
  if (ihl < kIpv4HeaderSize || ihl > 60 || after_ip.size() < kAhHeaderSize) {
    return AhError::kLength;
  }
  if (after_ip[0] != kIpProtoVrrp) return AhError::kNextHeader;
  if (after_ip[1] != kAhPayloadLength) return AhError::kLength;
  std::array<uint8_t, 60 + kAhHeaderSize> headers{};
  std::memcpy(headers.data(), ip_header.data(), ihl);
  std::memcpy(headers.data() + ihl, after_ip.data(), kAhHeaderSize);
  auto message = after_ip.subspan(kAhHeaderSize);
  auto icv = Icv(std::span(headers.data(), ihl + kAhHeaderSize), ihl, message, key, unicast);
  if (CRYPTO_memcmp(icv.data(), after_ip.data() + 12, kAhIcvSize) != 0) return AhError::kIcv;
  if (std::memcmp(after_ip.data() + 4, ip_header.data() + 12, 4) != 0) return AhError::kSpi;
  return AhVerified{Be32(after_ip.data() + 8), message};
}

std::vector<uint8_t> BuildAhDatagram(std::span<const uint8_t> message, const AhIpFields& ip,
                                     const AuthKey& key, uint32_t sequence, bool unicast) {
  std::vector<uint8_t> d(kIpv4HeaderSize + kAhHeaderSize + message.size());
  uint8_t* h = d.data();
  auto total = static_cast<uint16_t>(d.size());
  h[0] = 0x45;  // version 4, 5 words
  h[1] = ip.tos;
  h[2] = static_cast<uint8_t>(total >> 8);
  h[3] = static_cast<uint8_t>(total);
  h[4] = static_cast<uint8_t>(ip.id >> 8);
  h[5] = static_cast<uint8_t>(ip.id);
  h[8] = ip.ttl;
  h[9] = kIpProtoAh;
  std::memcpy(h + 12, ip.source.bytes().data(), 4);
  std::memcpy(h + 16, ip.destination.bytes().data(), 4);
  uint8_t* ah = h + kIpv4HeaderSize;
  ah[0] = kIpProtoVrrp;
  ah[1] = kAhPayloadLength;
  std::memcpy(ah + 4, ip.source.bytes().data(), 4);  // SPI: the source address
  PutBe32(ah + 8, sequence);
  std::memcpy(ah + kAhHeaderSize, message.data(), message.size());
  std::array<uint8_t, kIpv4HeaderSize + kAhHeaderSize> headers{};
  std::memcpy(headers.data(), h, headers.size());
  auto icv = Icv(headers, kIpv4HeaderSize, message, key, unicast);
  std::memcpy(ah + 12, icv.data(), kAhIcvSize);
  return d;
}

}  // namespace vigil::vrrp
