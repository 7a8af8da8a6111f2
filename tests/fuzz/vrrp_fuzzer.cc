// libFuzzer target for the VRRP codec: any bytes, as IPv4 and as IPv6, with every checksum
// option; whatever decodes must re-encode to a message that decodes to the same advert.
#include <cstddef>
#include <cstdint>

#include "vrrp/packet.h"

using vigil::base::IpAddress;
using vigil::vrrp::Decoded;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const IpAddress kSrc4 = *IpAddress::Parse("192.0.2.1");
  static const IpAddress kDst4 = *IpAddress::Parse("224.0.0.18");
  static const IpAddress kSrc6 = *IpAddress::Parse("fe80::1");
  static const IpAddress kDst6 = *IpAddress::Parse("ff02::12");
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
    }
  }
  return 0;
}
