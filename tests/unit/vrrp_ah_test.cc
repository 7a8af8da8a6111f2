// Known-answer and rejection tests for VRRPv2 AH authentication. The byte images are two
// consecutive adverts captured from Debian's keepalived 2.2.7 with auth_type AH and auth_pass
// "secret2" (tests/interop/keepalived-2.2.7-v2ah.pcap, IP datagrams after the Ethernet
// header): each verifies, and is rebuilt byte for byte.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "base/checksum.h"
#include "vrrp/ah.h"
#include "unit/hex.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {
namespace {

using testing::Hex;

base::IpAddress Ip(const char* s) { return *base::IpAddress::Parse(s); }

// IP header (TOS CS6, id 1 / 2, TTL 255, protocol 51) | AH (next 112, length 4, SPI
// 192.0.2.1, sequence 1 / 2, ICV) | VRRPv2 (vrid 55, priority 110, auth type 2, one address).
const char* kSeq1 =
    "45 c0 00 40 00 01 00 00 ff 33 18 b6 c0 00 02 01 e0 00 00 12"
    "70 04 00 00 c0 00 02 01 00 00 00 01 79 0b e9 a2 d4 f6 59 c7 8b 17 4a 3f"
    "21 37 6e 01 02 01 ac 5c c0 00 02 69 00 00 00 00 00 00 00 00";
const char* kSeq2 =
    "45 c0 00 40 00 02 00 00 ff 33 18 b5 c0 00 02 01 e0 00 00 12"
    "70 04 00 00 c0 00 02 01 00 00 00 02 c3 ea 28 8b b7 aa a5 85 8a 45 70 91"
    "21 37 6e 01 02 01 ac 5c c0 00 02 69 00 00 00 00 00 00 00 00";
const AuthKey kKey = {'s', 'e', 'c', 'r', 'e', 't', '2', 0};

std::variant<AhVerified, AhError> Verify(const std::vector<uint8_t>& d, const AuthKey& key,
                                         bool unicast = false) {
  std::span<const uint8_t> all = d;
  return VerifyAh(all.first(kIpv4HeaderSize), all.subspan(kIpv4HeaderSize), key, unicast);
}

AhError MustFail(const std::vector<uint8_t>& d, const AuthKey& key, bool unicast = false) {
  auto r = Verify(d, key, unicast);
  EXPECT_TRUE(std::holds_alternative<AhError>(r));
  return std::holds_alternative<AhError>(r) ? std::get<AhError>(r) : AhError::kLength;
}

// The kernel fills in the IP header checksum of what an IP_HDRINCL socket sends.
void FillIpChecksum(std::vector<uint8_t>& d) {
  base::InetChecksum sum;
  sum.Add(std::span(d.data(), kIpv4HeaderSize));
  uint16_t c = sum.Finish();
  d[10] = static_cast<uint8_t>(c >> 8);
  d[11] = static_cast<uint8_t>(c);
}

TEST(AhKnownAnswer, KeepalivedAdvertVerifiesAndDecodes) {
  auto d = Hex(kSeq1);
  auto r = Verify(d, kKey);
  ASSERT_TRUE(std::holds_alternative<AhVerified>(r)) << AhErrorName(std::get<AhError>(r));
  const auto& v = std::get<AhVerified>(r);
  EXPECT_EQ(v.sequence, 1u);
  auto dec = Decode(v.message, RxMeta{Ip("192.0.2.1"), Ip("224.0.0.18"), 255});
  ASSERT_TRUE(std::holds_alternative<Decoded>(dec));
  const Advertisement& a = std::get<Decoded>(dec).advert;
  EXPECT_EQ(a.version, 2);
  EXPECT_EQ(a.vrid, 55);
  EXPECT_EQ(a.priority, 110);
  EXPECT_EQ(a.adver_int, 1);
  EXPECT_EQ(a.auth_type, AuthType::kAh);
  EXPECT_EQ(a.auth_data, (AuthKey{}));  // AH carries no password in the message
  ASSERT_EQ(a.addresses.size(), 1u);
  EXPECT_EQ(a.addresses[0], Ip("192.0.2.105"));
  auto second = Verify(Hex(kSeq2), kKey);
  ASSERT_TRUE(std::holds_alternative<AhVerified>(second));
  EXPECT_EQ(std::get<AhVerified>(second).sequence, 2u);
}

TEST(AhKnownAnswer, RebuiltByteForByte) {
  for (auto [hex, seq] : {std::pair{kSeq1, 1u}, std::pair{kSeq2, 2u}}) {
    auto want = Hex(hex);
    std::span<const uint8_t> message = std::span(want).subspan(kIpv4HeaderSize + kAhHeaderSize);
    AhIpFields ip{Ip("192.0.2.1"), Ip("224.0.0.18"), static_cast<uint16_t>(seq), 255, 0xc0};
    auto got = BuildAhDatagram(message, ip, kKey, seq, false);
    EXPECT_EQ(got[10], 0);  // left to the kernel
    EXPECT_EQ(got[11], 0);
    FillIpChecksum(got);
    EXPECT_EQ(got, want) << "sequence " << seq;
  }
}

TEST(AhVerify, MutableFieldsAreNotCovered) {
  auto d = Hex(kSeq1);
  d[1] = 0;     // TOS rewritten on the path
  d[6] = 0x40;  // DF set
  d[10] ^= 0xff;
  EXPECT_TRUE(std::holds_alternative<AhVerified>(Verify(d, kKey)));
}

TEST(AhVerify, TtlIsCoveredForMulticastOnly) {
  std::vector<uint8_t> msg = Hex("21 37 6e 01 02 01 ac 5c c0 00 02 69 00 00 00 00 00 00 00 00");
  AhIpFields ip{Ip("192.0.2.1"), Ip("192.0.2.2"), 7, 255, 0xc0};
  auto unicast = BuildAhDatagram(msg, ip, kKey, 9, true);
  unicast[8] = 62;  // routed: TTL lowered
  auto r = Verify(unicast, kKey, true);
  ASSERT_TRUE(std::holds_alternative<AhVerified>(r));
  EXPECT_EQ(std::get<AhVerified>(r).sequence, 9u);
  auto multicast = Hex(kSeq1);
  multicast[8] = 254;
  EXPECT_EQ(MustFail(multicast, kKey), AhError::kIcv);
}

TEST(AhVerify, RejectsWithNamedReasons) {
  auto d = Hex(kSeq1);
  AuthKey wrong = kKey;
  wrong[6] = '3';
  EXPECT_EQ(MustFail(d, wrong), AhError::kIcv);
  auto altered = d;
  altered[46] = 0xff;  // the advert's priority
  EXPECT_EQ(MustFail(altered, kKey), AhError::kIcv);
  auto replayed_seq = d;
  replayed_seq[31] = 5;  // the sequence number is covered too
  EXPECT_EQ(MustFail(replayed_seq, kKey), AhError::kIcv);
  auto other = d;
  other[20] = 6;  // next header TCP: not ours
  EXPECT_EQ(MustFail(other, kKey), AhError::kNextHeader);
  auto bad_len = d;
  bad_len[21] = 3;
  EXPECT_EQ(MustFail(bad_len, kKey), AhError::kLength);
  std::vector<uint8_t> short_one(d.begin(), d.begin() + kIpv4HeaderSize + kAhHeaderSize - 1);
  EXPECT_EQ(MustFail(short_one, kKey), AhError::kLength);
  EXPECT_EQ(AhErrorName(AhError::kSpi), "ah_spi");
}

TEST(AhVerify, SpiMustBeTheSourceAddress) {
  // A datagram signed with the right key whose SPI names another sender.
  auto d = Hex(kSeq1);
  d[27] = 0x09;  // SPI 192.0.2.9
  std::vector<uint8_t> covered = d;
  covered[1] = covered[10] = covered[11] = 0;
  std::fill(covered.begin() + 32, covered.begin() + 44, 0);
  unsigned int len = 0;
  uint8_t digest[EVP_MAX_MD_SIZE];
  HMAC(EVP_md5(), kKey.data(), static_cast<int>(kKey.size()), covered.data(), covered.size(),
       digest, &len);
  std::copy(digest, digest + kAhIcvSize, d.begin() + 32);
  EXPECT_EQ(MustFail(d, kKey), AhError::kSpi);
}

}  // namespace
}  // namespace vigil::vrrp
