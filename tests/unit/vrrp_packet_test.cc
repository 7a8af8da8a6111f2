// Known-answer tests for the VRRP codec. The byte images are adverts captured from Debian's
// keepalived 2.2.7 (tests/interop/keepalived-2.2.7-*.pcap, decoded cleanly by tshark); each
// is decoded to the expected fields and re-encoded to the same bytes.
#include <gtest/gtest.h>

#include <string>

#include "unit/hex.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {
namespace {

using testing::Hex;

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

Decoded MustDecode(const std::vector<uint8_t>& m, const RxMeta& meta, DecodeOptions o = {}) {
  auto r = Decode(m, meta, o);
  if (auto* e = std::get_if<DecodeError>(&r)) {
    ADD_FAILURE() << "decode failed: " << DecodeErrorName(*e);
    return {};
  }
  return std::get<Decoded>(r);
}

DecodeError MustFail(const std::vector<uint8_t>& m, const RxMeta& meta, DecodeOptions o = {}) {
  auto r = Decode(m, meta, o);
  EXPECT_TRUE(std::holds_alternative<DecodeError>(r));
  return std::holds_alternative<DecodeError>(r) ? std::get<DecodeError>(r) : DecodeError::kVersion;
}

const RxMeta kV4{Ip("192.0.2.1"), Ip("224.0.0.18"), 255};
const RxMeta kV6{Ip("fe80::4c02:58ff:fe6a:4a2c"), Ip("ff02::12"), 255};

// VRRPv2, vrid 51, priority 150, advert_int 1, no authentication, two addresses.
const char* kV2 = "21 33 96 02 00 01 c3 fe  c0 00 02 64  c0 00 02 65  00 00 00 00 00 00 00 00";
// VRRPv2, vrid 52, priority 100, advert_int 2, PASS "secret1".
const char* kV2Pass = "21 34 64 01 01 02 4a 15  c0 00 02 66  73 65 63 72 65 74 31 00";
// VRRPv3 IPv4, vrid 53, priority 200, 50 cs, two addresses, RFC 5798 pseudo-header checksum.
const char* kV3V4 = "31 35 c8 02 00 32 77 62  c0 00 02 67  c6 33 64 03";
// VRRPv3 IPv6, vrid 54, priority 120, 100 cs, one address.
const char* kV3V6 = "31 36 78 01 00 64 3c a0  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 54";

TEST(PacketKnownAnswer, Rfc3768V2NoAuth) {
  auto d = MustDecode(Hex(kV2), kV4);
  EXPECT_EQ(d.advert.version, 2);
  EXPECT_EQ(d.advert.vrid, 51);
  EXPECT_EQ(d.advert.priority, 150);
  EXPECT_EQ(d.advert.adver_int, 1);
  EXPECT_EQ(d.advert.auth_type, AuthType::kNone);
  ASSERT_EQ(d.advert.addresses.size(), 2u);
  EXPECT_EQ(d.advert.addresses[1].ToString(), "192.0.2.101");
  EXPECT_EQ(Encode(d.advert, kV4.source, kV4.destination), Hex(kV2));
}

TEST(PacketKnownAnswer, Rfc3768V2PassAuth) {
  auto d = MustDecode(Hex(kV2Pass), kV4);
  EXPECT_EQ(d.advert.auth_type, AuthType::kPass);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.advert.auth_data.data())), "secret1");
  EXPECT_EQ(Encode(d.advert, kV4.source, kV4.destination), Hex(kV2Pass));
}

TEST(PacketKnownAnswer, Rfc5798V3IPv4PseudoHeaderChecksum) {
  auto d = MustDecode(Hex(kV3V4), kV4);
  EXPECT_EQ(d.advert.version, 3);
  EXPECT_EQ(d.advert.vrid, 53);
  EXPECT_EQ(d.advert.priority, 200);
  EXPECT_EQ(d.advert.adver_int, 50);
  EXPECT_EQ(d.checksum_mode, ChecksumMode::kPseudoHeader);
  EXPECT_EQ(Encode(d.advert, kV4.source, kV4.destination), Hex(kV3V4));
}

TEST(PacketKnownAnswer, Rfc9568V3IPv4MessageOnlyChecksum) {
  // The same advert with the message-only checksum (0x19f7, computed independently).
  auto bytes = Hex("31 35 c8 02 00 32 19 f7  c0 00 02 67  c6 33 64 03");
  auto d = MustDecode(bytes, kV4, DecodeOptions{false, true});
  EXPECT_EQ(d.checksum_mode, ChecksumMode::kMessageOnly);
  EXPECT_EQ(Encode(d.advert, kV4.source, kV4.destination, ChecksumMode::kMessageOnly), bytes);
  // Not accepted unless configured, and the pseudo-header form is not accepted when only
  // the message-only one is.
  EXPECT_EQ(MustFail(bytes, kV4), DecodeError::kChecksum);
  EXPECT_EQ(MustFail(Hex(kV3V4), kV4, DecodeOptions{false, true}), DecodeError::kChecksum);
  // Both accepted when both are configured.
  MustDecode(bytes, kV4, DecodeOptions{true, true});
  MustDecode(Hex(kV3V4), kV4, DecodeOptions{true, true});
}

TEST(PacketKnownAnswer, Rfc5798V3IPv6) {
  auto d = MustDecode(Hex(kV3V6), kV6);
  EXPECT_EQ(d.advert.vrid, 54);
  EXPECT_EQ(d.advert.priority, 120);
  EXPECT_EQ(d.advert.adver_int, 100);
  ASSERT_EQ(d.advert.addresses.size(), 1u);
  EXPECT_EQ(d.advert.addresses[0].ToString(), "2001:db8::54");
  EXPECT_EQ(Encode(d.advert, kV6.source, kV6.destination), Hex(kV3V6));
  // IPv6 always uses the pseudo-header: another source breaks the checksum.
  RxMeta other = kV6;
  other.source = Ip("fe80::1");
  EXPECT_EQ(MustFail(Hex(kV3V6), other), DecodeError::kChecksum);
}

TEST(PacketDecode, RejectsWithNamedReasons) {
  auto v2 = Hex(kV2);
  EXPECT_EQ(MustFail(std::vector<uint8_t>(v2.begin(), v2.begin() + 7), kV4),
            DecodeError::kPacketLength);
  // Address count says 3 but only 2 are present.
  auto longer = v2;
  longer[3] = 3;
  EXPECT_EQ(MustFail(longer, kV4), DecodeError::kPacketLength);
  auto type2 = v2;
  type2[0] = 0x22;
  EXPECT_EQ(MustFail(type2, kV4), DecodeError::kType);
  auto v4ver = v2;
  v4ver[0] = 0x41;
  EXPECT_EQ(MustFail(v4ver, kV4), DecodeError::kVersion);
  auto flipped = v2;
  flipped[2] ^= 1;
  EXPECT_EQ(MustFail(flipped, kV4), DecodeError::kChecksum);
  // VRRPv2 is IPv4 only.
  EXPECT_EQ(MustFail(v2, kV6), DecodeError::kVersion);
  RxMeta mixed{Ip("192.0.2.1"), Ip("ff02::12"), 255};
  EXPECT_EQ(MustFail(v2, mixed), DecodeError::kAddressFamily);
}

TEST(PacketDecode, TrailingBytesAreIgnored) {
  auto v3 = Hex(kV3V4);
  v3.push_back(0xaa);
  v3.push_back(0xbb);
  EXPECT_EQ(MustDecode(v3, kV4).advert.vrid, 53);
}

TEST(PacketEncode, V3KeepsReservedBitsZeroAndTwelveBitInterval) {
  Advertisement a;
  a.version = 3;
  a.vrid = 1;
  a.priority = 255;
  a.adver_int = 4095;
  a.addresses = {Ip("192.0.2.1")};
  auto bytes = Encode(a, kV4.source, kV4.destination);
  EXPECT_EQ(bytes[4], 0x0f);
  EXPECT_EQ(bytes[5], 0xff);
  EXPECT_EQ(MustDecode(bytes, kV4).advert, a);
}

}  // namespace
}  // namespace vigil::vrrp
