// libFuzzer target for the VRRP codec: any bytes, as IPv4 and as IPv6, with every checksum
// option; whatever decodes must re-encode to a message that decodes to the same advert, and
// must verify after being wrapped in an AH datagram. The bytes are also tried as an IPv4 AH
// datagram (header length from the first byte).
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "vrrp/ah.h"
#include "vrrp/packet.h"

using vigil::base::IpAddress;
using vigil::vrrp::Decoded;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const IpAddress kSrc4 = *IpAddress::Parse("192.0.2.1");
  static const IpAddress kDst4 = *IpAddress::Parse("224.0.0.18");
  static const IpAddress kSrc6 = *IpAddress::Parse("fe80::1");
  static const IpAddress kDst6 = *IpAddress::Parse("ff02::12");
  static const vigil::vrrp::AuthKey kKey = {'k', 'e', 'y'};
  std::span<const uint8_t> in(data, size);
  for (int v6 = 0; v6 < 2; ++v6) {
    vigil::vrrp::RxMeta meta{v6 ? kSrc6 : kSrc4, v6 ? kDst6 : kDst4, 255};
    for (int opts = 1; opts < 4; ++opts) {
      vigil::vrrp::DecodeOptions o{(opts & 1) != 0, (opts & 2) != 0};
      auto r = vigil::vrrp::Decode(in, meta, o);
      auto* d = std::get_if<Decoded>(&r);
      if (!d) continue;
      auto bytes = vigil::vrrp::Encode(d->advert, meta.source, meta.destination, d->checksum_mode);
      auto again = vigil::vrrp::Decode(bytes, meta, o);
      auto* d2 = std::get_if<Decoded>(&again);
      if (!d2 || !(d2->advert == d->advert)) __builtin_trap();
      if (!v6) {
        vigil::vrrp::AhIpFields ip{meta.source, meta.destination, 1};
        auto dgram = vigil::vrrp::BuildAhDatagram(bytes, ip, kKey, 42, opts == 2);
        std::span<const uint8_t> all = dgram;
        auto v = vigil::vrrp::VerifyAh(all.first(20), all.subspan(20), kKey, opts == 2);
        auto* ok = std::get_if<vigil::vrrp::AhVerified>(&v);
        if (!ok || ok->sequence != 42 ||
            !std::equal(ok->message.begin(), ok->message.end(), bytes.begin(), bytes.end())) {
          __builtin_trap();
        }
      }
    }
  }
  if (size >= 1) {
    size_t ihl = std::min<size_t>(size, (data[0] & 0x0f) * 4u);
    (void)vigil::vrrp::VerifyAh(in.first(ihl), in.subspan(ihl), kKey, (data[0] & 0x80) != 0);
  }
  return 0;
}
