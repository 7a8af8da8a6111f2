#include "base/checksum.h"

namespace vigil::base {

void InetChecksum::Add(std::span<const uint8_t> b) {
  size_t i = 0;
  for (; i + 1 < b.size(); i += 2) sum_ += static_cast<uint32_t>((b[i] << 8) | b[i + 1]);
  if (i < b.size()) sum_ += static_cast<uint32_t>(b[i] << 8);
  // Fold early so that long inputs cannot overflow.
  sum_ = (sum_ & 0xffff) + (sum_ >> 16);
}

uint16_t InetChecksum::Finish() const {
  uint32_t s = sum_;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(~s & 0xffff);
}

}  // namespace vigil::base
