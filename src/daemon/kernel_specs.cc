#include "daemon/kernel_specs.h"

#include "base/strings.h"

namespace vigil::daemon {
namespace {

uint8_t ScopeValue(const std::string& s) {
  if (s == "site") return 200;
  if (s == "link") return 253;
  if (s == "host") return 254;
  if (s == "nowhere") return 255;
  if (auto n = base::ParseUint(s); n && *n <= 255) return static_cast<uint8_t>(*n);
  return 0;  // "global" or unset
}

// `brd +` sets the host part to ones, `brd -` to zeros, as `ip address add` does.
std::optional<base::IpAddress> Broadcast(const std::string& b, const base::Prefix& p) {
  if (b.empty() || !p.address.is_v4()) return std::nullopt;
  if (b != "+" && b != "-") return base::IpAddress::Parse(b);
  const auto& bytes = p.address.bytes();
  uint32_t a = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
               bytes[3];
  uint32_t host = p.length >= 32 ? 0 : (0xffffffffU >> p.length);
  return base::IpAddress::V4(b == "+" ? (a | host) : (a & ~host));
}

}  // namespace

os::AddressSpec ToAddressSpec(const model::IpAddressConf& a, int ifindex) {
  const model::IpAddressOptions& o = a.opt.get();
  os::AddressSpec s;
  s.prefix = a.address;
  s.ifindex = ifindex;
  s.label = o.label;
  s.scope = ScopeValue(o.scope);
  s.broadcast = Broadcast(o.broadcast, a.address);
  s.peer = o.peer;
  if (o.preferred_lft && *o.preferred_lft != "forever") {
    if (auto n = base::ParseUint(*o.preferred_lft)) s.preferred_lft = static_cast<uint32_t>(*n);
  }
  s.home = o.home;
  s.mngtmpaddr = o.mngtmpaddr;
  s.noprefixroute = o.noprefixroute;
  s.autojoin = o.autojoin;
  return s;
}

KernelSpecs SpecsFor(const model::VrrpInstanceConf& conf, int instance_ifindex,
                     const os::IfindexLookup& ifindex) {
  KernelSpecs out;
  auto addresses = [&](const std::vector<model::IpAddressConf>& list) {
    for (const auto& a : list) {
      int idx = instance_ifindex;
      if (!a.dev.empty()) {
        idx = ifindex(a.dev);
        if (idx == 0) {
          out.errors.push_back(a.address.ToString() + ": no interface '" + a.dev + "'");
          continue;
        }
      }
      out.addresses.push_back(ToAddressSpec(a, idx));
    }
  };
  addresses(conf.vips);
  addresses(conf.excluded_vips);
  AddRouteLines(conf.virtual_routes, ifindex, "virtual_routes", out);
  AddRuleLines(conf.virtual_rules, "virtual_rules", out);
  return out;
}

namespace {

std::vector<std::string> WithoutTrackGroup(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "track_group") {
      ++i;
      continue;
    }
    out.push_back(words[i]);
  }
  return out;
}

}  // namespace

void AddRouteLines(const std::vector<model::RouteConf>& lines, const os::IfindexLookup& ifindex,
                   const std::string& what, KernelSpecs& out) {
  for (const auto& r : lines) {
    auto parsed = os::ParseRoute(WithoutTrackGroup(r.words), ifindex);
    if (auto* e = std::get_if<std::string>(&parsed)) {
      out.errors.push_back(what + ": " + *e);
    } else {
      out.routes.push_back(std::get<os::RouteSpec>(parsed));
    }
  }
}

void AddRuleLines(const std::vector<model::RouteConf>& lines, const std::string& what,
                  KernelSpecs& out) {
  for (const auto& r : lines) {
    auto parsed = os::ParseRule(WithoutTrackGroup(r.words));
    if (auto* e = std::get_if<std::string>(&parsed)) {
      out.errors.push_back(what + ": " + *e);
    } else {
      out.rules.push_back(std::get<os::RuleSpec>(parsed));
    }
  }
}

}  // namespace vigil::daemon
