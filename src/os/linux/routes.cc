#include "os/linux/routes.h"

#include <array>
#include <charconv>
#include <utility>

#include "base/strings.h"

namespace vigil::os {
namespace {

// Decimal, or hexadecimal with 0x (marks and masks are usually written in hex).
std::optional<uint32_t> Number(const std::string& s) {
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  }
  auto v = base::ParseUint(s);
  if (!v || *v > 0xffffffffULL) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<uint32_t> Table(const std::string& s) {
  if (s == "main") return 254;
  if (s == "local") return 255;
  if (s == "default") return 253;
  return Number(s);
}

std::optional<uint8_t> Scope(const std::string& s) {
  static const std::array<std::pair<const char*, uint8_t>, 6> kScopes{{
      {"global", 0}, {"universe", 0}, {"site", 200}, {"link", 253}, {"host", 254}, {"nowhere", 255}}};
  for (const auto& [name, v] : kScopes) {
    if (s == name) return v;
  }
  auto n = Number(s);
  if (n && *n <= 255) return static_cast<uint8_t>(*n);
  return std::nullopt;
}

std::optional<uint8_t> Protocol(const std::string& s) {
  static const std::array<std::pair<const char*, uint8_t>, 5> kProtos{
      {{"redirect", 1}, {"kernel", 2}, {"boot", 3}, {"static", 4}, {"keepalived", 18}}};
  for (const auto& [name, v] : kProtos) {
    if (s == name) return v;
  }
  auto n = Number(s);
  if (n && *n <= 255) return static_cast<uint8_t>(*n);
  return std::nullopt;
}

std::optional<uint8_t> RouteType(const std::string& s) {
  static const std::array<std::pair<const char*, uint8_t>, 10> kTypes{{{"unicast", 1},
                                                                        {"local", 2},
                                                                        {"broadcast", 3},
                                                                        {"anycast", 4},
                                                                        {"multicast", 5},
                                                                        {"blackhole", 6},
                                                                        {"unreachable", 7},
                                                                        {"prohibit", 8},
                                                                        {"throw", 9},
                                                                        {"nat", 10}}};
  for (const auto& [name, v] : kTypes) {
    if (s == name) return v;
  }
  return std::nullopt;
}

// "default"/"all" (nullopt prefix, any family) or a prefix.
std::optional<std::optional<base::Prefix>> PrefixOrDefault(const std::string& s) {
  if (s == "default" || s == "all" || s == "default6") return std::optional<base::Prefix>();
  auto p = base::Prefix::Parse(s);
  if (!p) return std::nullopt;
  return std::optional<base::Prefix>(*p);
}

base::Prefix Everything(base::Family f) {
  return *base::Prefix::Parse(f == base::Family::kIPv4 ? "0.0.0.0/0" : "::/0");
}

}  // namespace

std::variant<RouteSpec, std::string> ParseRoute(const std::vector<std::string>& words,
                                                const IfindexLookup& ifindex) {
  RouteSpec r;
  std::optional<std::optional<base::Prefix>> dest;  // set once seen; inner nullopt: default
  bool default6 = false;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto value = [&]() -> const std::string* {
      return i + 1 < words.size() ? &words[++i] : nullptr;
    };
    auto address = [&](std::optional<base::IpAddress>& out) -> std::string {
      const std::string* v = value();
      auto a = v ? base::IpAddress::Parse(*v) : std::nullopt;
      if (!a) return "'" + w + "' needs an address";
      out = *a;
      return "";
    };
    std::string err;
    if (w == "no_track") {
      continue;  // keepalived: do not follow the route's interface
    } else if (w == "onlink") {
      r.onlink = true;
    } else if (w == "via" || w == "gw") {
      err = address(r.gateway);
    } else if (w == "src") {
      err = address(r.source);
    } else if (w == "dev" || w == "oif") {
      const std::string* v = value();
      if (!v) return "'dev' needs an interface";
      r.oif = ifindex(*v);
      if (r.oif == 0) return "no interface '" + *v + "'";
    } else if (w == "table") {
      const std::string* v = value();
      auto t = v ? Table(*v) : std::nullopt;
      if (!t) return "'table' needs a table number or name";
      r.table = *t;
    } else if (w == "metric" || w == "priority" || w == "preference") {
      const std::string* v = value();
      auto n = v ? Number(*v) : std::nullopt;
      if (!n) return "'" + w + "' needs a number";
      r.metric = *n;
    } else if (w == "scope") {
      const std::string* v = value();
      auto s = v ? Scope(*v) : std::nullopt;
      if (!s) return "'scope' needs a scope";
      r.scope = *s;
    } else if (w == "proto" || w == "protocol") {
      const std::string* v = value();
      auto p = v ? Protocol(*v) : std::nullopt;
      if (!p) return "'proto' needs a protocol";
      r.protocol = *p;
    } else if (auto t = RouteType(w); t && !dest) {
      r.type = *t;
    } else if (w == "to" || !dest) {
      const std::string* v = w == "to" ? value() : &w;
      auto p = v ? PrefixOrDefault(*v) : std::nullopt;
      if (!p) return "'" + (v ? *v : w) + "' is not a destination prefix";
      dest = *p;
      default6 = v && *v == "default6";
    } else {
      return "unsupported route option '" + w + "'";
    }
    if (!err.empty()) return err;
  }
  if (!dest) return "route without a destination";
  if (*dest) {
    r.destination = **dest;
    r.family = r.destination.address.family();
  } else {
    r.family = default6 ? base::Family::kIPv6
               : r.gateway ? r.gateway->family()
               : r.source  ? r.source->family()
                           : base::Family::kIPv4;
    r.destination = Everything(r.family);
  }
  if ((r.gateway && r.gateway->family() != r.family) ||
      (r.source && r.source->family() != r.family)) {
    return "route mixes IPv4 and IPv6 addresses";
  }
  return r;
}

std::variant<RuleSpec, std::string> ParseRule(const std::vector<std::string>& words) {
  RuleSpec r;
  std::optional<base::Family> family;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    const std::string* v = nullptr;
    auto need = [&]() {
      v = i + 1 < words.size() ? &words[++i] : nullptr;
      return v != nullptr;
    };
    if (w == "no_track") {
      continue;
    } else if (w == "not") {
      r.invert = true;
    } else if (w == "from" || w == "to") {
      if (!need()) return "'" + w + "' needs a prefix";
      auto p = PrefixOrDefault(*v);
      if (!p) return "'" + *v + "' is not a prefix";
      if (*p) {
        family = (*p)->address.family();
        (w == "from" ? r.from : r.to) = **p;
      } else if (*v == "default6") {
        family = base::Family::kIPv6;
      }
    } else if (w == "table" || w == "lookup") {
      auto t = need() ? Table(*v) : std::nullopt;
      if (!t) return "'" + w + "' needs a table number or name";
      r.table = *t;
    } else if (w == "priority" || w == "preference" || w == "order" || w == "pref") {
      auto n = need() ? Number(*v) : std::nullopt;
      if (!n) return "'" + w + "' needs a number";
      r.priority = *n;
    } else if (w == "iif" || w == "dev") {
      if (!need()) return "'" + w + "' needs an interface";
      r.iif = *v;
    } else if (w == "oif") {
      if (!need()) return "'oif' needs an interface";
      r.oif = *v;
    } else if (w == "fwmark") {
      if (!need()) return "'fwmark' needs a number";
      std::string mark = *v, mask;
      if (auto slash = mark.find('/'); slash != std::string::npos) {
        mask = mark.substr(slash + 1);
        mark.resize(slash);
      }
      auto m = Number(mark);
      if (!m) return "'fwmark' needs a number";
      r.fwmark = *m;
      if (!mask.empty()) {
        auto k = Number(mask);
        if (!k) return "'fwmark' mask is not a number";
        r.fwmask = *k;
      }
    } else if (w == "tos" || w == "dsfield") {
      auto n = need() ? Number(*v) : std::nullopt;
      if (!n || *n > 255) return "'" + w + "' needs a number up to 255";
      r.tos = static_cast<uint8_t>(*n);
    } else {
      return "unsupported rule option '" + w + "'";
    }
  }
  if (r.from && r.to && r.from->address.family() != r.to->address.family()) {
    return "rule mixes IPv4 and IPv6 prefixes";
  }
  r.family = family.value_or(base::Family::kIPv4);
  return r;
}

}  // namespace vigil::os
