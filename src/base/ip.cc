#include "base/ip.h"

#include <cstdio>
#include <vector>

#include "base/strings.h"

namespace vigil::base {

IpAddress IpAddress::V4(uint32_t h) {
  IpAddress a;
  a.family_ = Family::kIPv4;
  a.bytes_[0] = static_cast<uint8_t>(h >> 24);
  a.bytes_[1] = static_cast<uint8_t>(h >> 16);
  a.bytes_[2] = static_cast<uint8_t>(h >> 8);
  a.bytes_[3] = static_cast<uint8_t>(h);
  return a;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& b) {
  IpAddress a;
  a.family_ = Family::kIPv6;
  a.bytes_ = b;
  return a;
}

uint32_t IpAddress::v4_host_order() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         bytes_[3];
}

namespace {

std::optional<uint32_t> ParseV4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    size_t start = i;
    uint32_t v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      v = v * 10 + static_cast<uint32_t>(s[i] - '0');
      ++i;
    }
    if (i == start || v > 255) return std::nullopt;
    out = (out << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses colon-separated hex groups (and an optional dotted-quad tail) into 16-bit words.
bool ParseGroups(std::string_view s, std::vector<uint16_t>& out, bool allow_v4_tail) {
  if (s.empty()) return true;
  size_t i = 0;
  while (true) {
    size_t end = s.find(':', i);
    std::string_view g = s.substr(i, end == std::string_view::npos ? s.size() - i : end - i);
    if (end == std::string_view::npos && allow_v4_tail && g.find('.') != std::string_view::npos) {
      auto v4 = ParseV4(g);
      if (!v4) return false;
      out.push_back(static_cast<uint16_t>(*v4 >> 16));
      out.push_back(static_cast<uint16_t>(*v4 & 0xffff));
      return true;
    }
    if (g.empty() || g.size() > 4) return false;
    uint16_t v = 0;
    for (char c : g) {
      int h = HexValue(c);
      if (h < 0) return false;
      v = static_cast<uint16_t>((v << 4) | h);
    }
    out.push_back(v);
    if (end == std::string_view::npos) return true;
    i = end + 1;
  }
}

std::optional<std::array<uint8_t, 16>> ParseV6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return std::nullopt;
  std::vector<uint16_t> head, tail;
  size_t dc = s.find("::");
  if (dc != std::string_view::npos) {
    if (s.find("::", dc + 1) != std::string_view::npos) return std::nullopt;
    if (!ParseGroups(s.substr(0, dc), head, false)) return std::nullopt;
    if (!ParseGroups(s.substr(dc + 2), tail, true)) return std::nullopt;
    if (head.size() + tail.size() > 7) return std::nullopt;
  } else {
    if (!ParseGroups(s, head, true) || head.size() != 8) return std::nullopt;
  }
  std::array<uint8_t, 16> b{};
  for (size_t k = 0; k < head.size(); ++k) {
    b[2 * k] = static_cast<uint8_t>(head[k] >> 8);
    b[2 * k + 1] = static_cast<uint8_t>(head[k]);
  }
  size_t off = 8 - tail.size();
  for (size_t k = 0; k < tail.size(); ++k) {
    b[2 * (off + k)] = static_cast<uint8_t>(tail[k] >> 8);
    b[2 * (off + k) + 1] = static_cast<uint8_t>(tail[k]);
  }
  return b;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    auto b = ParseV6(text);
    if (!b) return std::nullopt;
    return V6(*b);
  }
  auto v4 = ParseV4(text);
  if (!v4) return std::nullopt;
  return V4(*v4);
}

std::string IpAddress::ToString() const {
  char buf[64];
  if (is_v4()) {
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
    return buf;
  }
  uint16_t w[8];
  for (int k = 0; k < 8; ++k)
    w[k] = static_cast<uint16_t>((bytes_[2 * k] << 8) | bytes_[2 * k + 1]);
  // RFC 5952: compress the longest run (>= 2) of zero words, the first one on a tie.
  int best = -1, best_len = 0;
  for (int k = 0; k < 8;) {
    if (w[k] != 0) {
      ++k;
      continue;
    }
    int j = k;
    while (j < 8 && w[j] == 0) ++j;
    if (j - k > best_len && j - k >= 2) {
      best = k;
      best_len = j - k;
    }
    k = j;
  }
  std::string out;
  for (int k = 0; k < 8; ++k) {
    if (k == best) {
      out += "::";
      k += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buf, sizeof buf, "%x", w[k]);
    out += buf;
  }
  return out;
}

IpAddress IpAddress::Plus(uint64_t n) const {
  IpAddress r = *this;
  int last = is_v4() ? 3 : 15;
  uint64_t carry = n;
  for (int k = last; k >= 0 && carry; --k) {
    uint64_t v = r.bytes_[k] + (carry & 0xff);
    r.bytes_[k] = static_cast<uint8_t>(v);
    carry = (carry >> 8) + (v >> 8);
  }
  return r;
}

std::optional<Prefix> Prefix::Parse(std::string_view text) {
  size_t slash = text.find('/');
  auto addr = IpAddress::Parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  Prefix p{*addr, MaxLength(addr->family())};
  if (slash != std::string_view::npos) {
    auto len = ParseUint(text.substr(slash + 1));
    if (!len || *len > MaxLength(addr->family())) return std::nullopt;
    p.length = static_cast<uint8_t>(*len);
  }
  return p;
}

std::string Prefix::ToString(bool omit_full) const {
  if (omit_full && length == MaxLength(address.family())) return address.ToString();
  return address.ToString() + "/" + std::to_string(length);
}

}  // namespace vigil::base
