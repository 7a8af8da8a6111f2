// IP address vocabulary: parsing and canonical printing of IPv4/IPv6 addresses and prefixes,
// without any socket header (pure code may use it).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::base {

enum class Family : uint8_t { kIPv4 = 4, kIPv6 = 6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress V4(uint32_t host_order);
  static IpAddress V6(const std::array<uint8_t, 16>& bytes);

  // Accepts dotted-quad IPv4 (exactly four decimal parts, each 0..255) or RFC 4291 IPv6 text
  // (with "::" and an embedded dotted-quad tail). Returns nullopt on anything else.
  static std::optional<IpAddress> Parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kIPv4; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }  // v4 uses bytes 0..3
  uint32_t v4_host_order() const;

  // Canonical text: dotted quad, or RFC 5952 for IPv6.
  std::string ToString() const;

  // The address plus `n` (wrapping within the family's width); used by address ranges.
  IpAddress Plus(uint64_t n) const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kIPv4;
  std::array<uint8_t, 16> bytes_{};
};

struct Prefix {
  IpAddress address;
  uint8_t length = 0;  // 0..32 or 0..128

  // "ADDR" (full-length prefix) or "ADDR/LEN".
  static std::optional<Prefix> Parse(std::string_view text);
  // Full-length prefixes print without "/LEN" only when `omit_full` is set.
  std::string ToString(bool omit_full = false) const;
  static uint8_t MaxLength(Family f) { return f == Family::kIPv4 ? 32 : 128; }

  auto operator<=>(const Prefix&) const = default;
};

}  // namespace vigil::base
