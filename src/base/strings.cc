#include "base/strings.h"

#include <limits>

namespace vigil::base {

std::optional<uint64_t> ParseUint(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  auto u = ParseUint(s);
  if (!u || *u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  int64_t v = static_cast<int64_t>(*u);
  return neg ? -v : v;
}

std::optional<Duration> ParseSeconds(std::string_view s) {
  size_t dot = s.find('.');
  auto whole = ParseUint(s.substr(0, dot));
  if (!whole || *whole > 1'000'000'000ull) return std::nullopt;
  uint64_t micros = 0;
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 6 || !ParseUint(frac)) return std::nullopt;
    micros = *ParseUint(frac);
    for (size_t k = frac.size(); k < 6; ++k) micros *= 10;
  }
  return Duration(static_cast<int64_t>(*whole * 1'000'000 + micros));
}

std::string FormatSeconds(Duration d) {
  int64_t us = d.count();
  std::string s = std::to_string(us / 1'000'000);
  int64_t frac = us % 1'000'000;
  if (frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 6 - f.size(), '0');
    while (!f.empty() && f.back() == '0') f.pop_back();
    s += '.' + f;
  }
  return s;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "on" || s == "true" || s == "yes") return true;
  if (s == "off" || s == "false" || s == "no") return false;
  return std::nullopt;
}

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n\v\f");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n\v\f");
  return s.substr(b, e - b + 1);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

}  // namespace vigil::base
