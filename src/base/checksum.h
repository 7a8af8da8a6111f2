// The Internet checksum (RFC 1071): a one's-complement sum of 16-bit words.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vigil::base {

// Accumulates bytes into a 32-bit one's-complement partial sum. Feed contiguous pieces in
// order; an odd-length piece may only be the last one.
class InetChecksum {
 public:
  void Add(std::span<const uint8_t> bytes);
  void AddU16(uint16_t v) { sum_ += v; }
  // The folded, complemented checksum in host order (write it big-endian).
  uint16_t Finish() const;

 private:
  uint32_t sum_ = 0;
};

}  // namespace vigil::base
