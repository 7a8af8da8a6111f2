// Lowering of the tracking objects (vrrp_script, vrrp_track_process, track_file, track_group),
// garp_group, bfd_instance, and the value blocks shared by several blocks (address lists,
// routes and rules, track lists).
#include "config/lower_internal.h"

namespace vigil::config {

using model::Script;

std::vector<std::string> BlockWords(const Node& n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n.argc(); ++i) out.push_back(n.arg(i).text);
  for (const auto& c : n.children) {
    for (const auto& w : c.words) out.push_back(w.text);
  }
  return out;
}

namespace {

// "weight N [reverse|noreverse]" starting at argument `i`.
void ParseWeight(const Node& n, size_t i, int limit, int& weight, bool& reverse, Ctx& ctx) {
  if (!NeedArgs(n, i + 1, ctx, "a weight")) return;
  if (auto v = ArgInt(n, i, -limit, limit, ctx)) weight = static_cast<int>(*v);
  if (n.argc() > i + 1) {
    const auto& w = n.arg(i + 1).text;
    if (w == "reverse") {
      reverse = true;
    } else if (w != "noreverse") {
      ctx.diags.Error(n.arg(i + 1).loc, "'" + n.keyword() +
                                            "': expected 'reverse' after the "
                                            "weight, found '" +
                                            w + "'");
    }
  }
}

std::string WeightText(int weight, bool reverse) {
  return "weight " + std::to_string(weight) + (reverse ? " reverse" : "");
}

}  // namespace

// ---- vrrp_script ----

static const Schema<model::VrrpScriptConf>& VrrpScriptSchema() {
  using T = model::VrrpScriptConf;
  static const Schema<T> s("vrrp_script", {
                                              {"script",
                                               [](T& o, const Node& n, Ctx& c) {
                                                 if (!NeedArgs(n, 1, c, "a script")) return;
                                                 if (auto sc = ArgScript(n, 0, c))
                                                   o.script = std::move(*sc);
                                               },
                                               [](const T& o, Printer& p) {
                                                 if (!o.script.argv.empty())
                                                   p.Line("script " + ScriptText(o.script));
                                               }},
                                              Seconds<T>("interval", &T::interval),
                                              Seconds<T>("timeout", &T::timeout),
                                              {"weight",
                                               [](T& o, const Node& n, Ctx& c) {
                                                 ParseWeight(n, 0, model::defaults::kMaxTrackWeight,
                                                             o.weight, o.weight_reverse, c);
                                               },
                                               [](const T& o, Printer& p) {
                                                 if (o.weight || o.weight_reverse)
                                                   p.Line(WeightText(o.weight, o.weight_reverse));
                                               }},
                                              Int<T>("rise", &T::rise, 1, 1'000'000),
                                              Int<T>("fall", &T::fall, 1, 1'000'000),
                                              Words<T>("user", &T::user),
                                              Flag<T>("init_fail", &T::init_fail),
                                          });
  return s;
}

model::VrrpScriptConf LowerVrrpScript(const Node& n, Ctx& ctx) {
  auto c = LowerNamed(n, VrrpScriptSchema(), ctx);
  if (c.script.argv.empty()) ctx.diags.Error(n.loc(), "vrrp_script " + c.name + " has no script");
  return c;
}

void DumpVrrpScript(const model::VrrpScriptConf& c, Printer& p) {
  DumpNamed("vrrp_script", c, VrrpScriptSchema(), p);
}

// ---- vrrp_track_process ----

static const Schema<model::TrackProcessConf>& TrackProcessSchema() {
  using T = model::TrackProcessConf;
  static const Schema<T> s(
      "vrrp_track_process",
      {
          {"process",
           [](T& o, const Node& n, Ctx& c) {
             if (!NeedArgs(n, 1, c, "a process name")) return;
             o.process = n.arg(0).text;
             o.parameters.clear();
             for (size_t i = 1; i < n.argc(); ++i) o.parameters.push_back(n.arg(i).text);
           },
           [](const T& o, Printer& p) {
             if (o.process.empty()) return;
             std::string line = "process " + QuoteWord(o.process);
             if (!o.parameters.empty()) line += " " + Text(o.parameters);
             p.Line(line);
           }},
          {"param_match",
           [](T& o, const Node& n, Ctx& c) {
             if (!NeedArgs(n, 1, c, "initial or partial")) return;
             const auto& w = n.arg(0).text;
             if (w != "initial" && w != "partial") {
               c.diags.Error(n.arg(0).loc,
                             "param_match: expected initial or partial, found '" + w + "'");
               return;
             }
             o.param_match = w;
           },
           [](const T& o, Printer& p) {
             if (!o.param_match.empty()) p.Line("param_match " + o.param_match);
           }},
          {"weight",
           [](T& o, const Node& n, Ctx& c) {
             ParseWeight(n, 0, model::defaults::kMaxTrackFileWeight, o.weight, o.weight_reverse, c);
           },
           [](const T& o, Printer& p) {
             if (o.weight || o.weight_reverse) p.Line(WeightText(o.weight, o.weight_reverse));
           }},
          Int<T>("quorum", &T::quorum, 0, 65535),
          Int<T>("quorum_max", &T::quorum_max, 0, 65535),
          Seconds<T>("delay", &T::delay),
          Seconds<T>("terminate_delay", &T::terminate_delay),
          Seconds<T>("fork_delay", &T::fork_delay),
          Flag<T>("full_command", &T::full_command),
      });
  return s;
}

model::TrackProcessConf LowerTrackProcess(const Node& n, Ctx& ctx) {
  auto c = LowerNamed(n, TrackProcessSchema(), ctx);
  if (c.process.empty())
    ctx.diags.Error(n.loc(), "vrrp_track_process " + c.name + " has no process");
  if (c.quorum_max && *c.quorum_max < c.quorum) {
    ctx.diags.Error(n.loc(), "vrrp_track_process " + c.name + ": quorum_max is below quorum");
  }
  return c;
}

void DumpTrackProcess(const model::TrackProcessConf& c, Printer& p) {
  DumpNamed("vrrp_track_process", c, TrackProcessSchema(), p);
}

// ---- track_file ----

static const Schema<model::TrackFileConf>& TrackFileSchema() {
  using T = model::TrackFileConf;
  static const Schema<T> s(
      "track_file", {
                        Word1<T>("file", &T::file),
                        {"weight",
                         [](T& o, const Node& n, Ctx& c) {
                           ParseWeight(n, 0, model::defaults::kMaxTrackFileWeight, o.weight,
                                       o.weight_reverse, c);
                         },
                         [](const T& o, Printer& p) {
                           if (o.weight != model::defaults::kTrackFileWeight || o.weight_reverse)
                             p.Line(WeightText(o.weight, o.weight_reverse));
                         }},
                        OptWords<T>("init_file", &T::init_file),
                    });
  return s;
}

model::TrackFileConf LowerTrackFile(const Node& n, Ctx& ctx) {
  auto c = LowerNamed(n, TrackFileSchema(), ctx);
  c.legacy_keyword = n.keyword() == "vrrp_track_file";
  if (c.file.empty()) ctx.diags.Error(n.loc(), n.keyword() + " " + c.name + " has no file");
  return c;
}

void DumpTrackFile(const model::TrackFileConf& c, Printer& p) {
  DumpNamed(c.legacy_keyword ? "vrrp_track_file" : "track_file", c, TrackFileSchema(), p);
}

// ---- track_group ----

model::TrackGroupConf LowerTrackGroup(const Node& n, Ctx& ctx) {
  model::TrackGroupConf c;
  c.name = HeaderName(n, ctx);
  c.loc = n.loc();
  for (const auto& ch : n.children) {
    if (ch.keyword() == "group") {
      auto w = BlockWords(ch);
      c.members.insert(c.members.end(), w.begin(), w.end());
    } else {
      ctx.diags.Warn(ch.loc(), "unknown keyword '" + ch.keyword() + "' in track_group; ignored");
    }
  }
  return c;
}

void DumpTrackGroup(const model::TrackGroupConf& c, Printer& p) {
  p.Open("track_group " + QuoteWord(c.name));
  p.Open("group");
  for (const auto& m : c.members) p.Line(QuoteWord(m));
  p.Close();
  p.Close();
}

// ---- garp_group ----

static const Schema<model::GarpGroupConf>& GarpGroupSchema() {
  using T = model::GarpGroupConf;
  static const Schema<T> s(
      "garp_group",
      {
          Seconds<T>("garp_interval", &T::garp_interval),
          Seconds<T>("gna_interval", &T::gna_interval),
          Word1<T>("interface", &T::interface),
          {"interfaces", [](T& o, const Node& n, Ctx&) { o.interfaces = BlockWords(n); },
           [](const T& o, Printer& p) {
             if (o.interfaces.empty()) return;
             p.Open("interfaces");
             for (const auto& i : o.interfaces) p.Line(QuoteWord(i));
             p.Close();
           }},
      });
  return s;
}

model::GarpGroupConf LowerGarpGroup(const Node& n, Ctx& ctx) {
  model::GarpGroupConf c;
  ParseChildren(c, n, GarpGroupSchema(), ctx);
  return c;
}

void DumpGarpGroup(const model::GarpGroupConf& c, Printer& p) {
  p.Open("garp_group");
  DumpFields(c, GarpGroupSchema(), p);
  p.Close();
}

// ---- bfd_instance ----

static const Schema<model::BfdInstanceConf>& BfdSchema() {
  using T = model::BfdInstanceConf;
  static const Field<T> neighbor = Ip<T>("neighbor_ip", &T::neighbor_ip);
  static const Field<T> ttl = Int<T>("ttl", &T::ttl, 1, 255);
  static const Schema<T> s("bfd_instance", {
                                               neighbor,
                                               Alias<T>("neighbour_ip", neighbor),
                                               Ip<T>("source_ip", &T::source_ip),
                                               Int<T>("min_rx", &T::min_rx_ms, 1, 1000000),
                                               Int<T>("min_tx", &T::min_tx_ms, 1, 1000000),
                                               Int<T>("idle_tx", &T::idle_tx_ms, 1, 1000000),
                                               Int<T>("multiplier", &T::multiplier, 1, 255),
                                               Flag<T>("passive", &T::passive),
                                               ttl,
                                               Alias<T>("hoplimit", ttl),
                                               Int<T>("max_hops", &T::max_hops, 0, 255),
                                               Bool<T>("multihop", &T::multihop),
                                               {"weight",
                                                [](T& o, const Node& n, Ctx& c) {
                                                  int w = 0;
                                                  ParseWeight(n, 0,
                                                              model::defaults::kMaxTrackWeight, w,
                                                              o.weight_reverse, c);
                                                  o.weight = w;
                                                },
                                                [](const T& o, Printer& p) {
                                                  if (o.weight)
                                                    p.Line(WeightText(*o.weight, o.weight_reverse));
                                                }},
                                               Flag<T>("vrrp", &T::vrrp),
                                               Flag<T>("checker", &T::checker),
                                           });
  return s;
}

model::BfdInstanceConf LowerBfdInstance(const Node& n, Ctx& ctx) {
  auto c = LowerNamed(n, BfdSchema(), ctx);
  if (!c.neighbor_ip) ctx.diags.Error(n.loc(), "bfd_instance " + c.name + " has no neighbor_ip");
  if (c.neighbor_ip && c.source_ip && c.neighbor_ip->family() != c.source_ip->family()) {
    ctx.diags.Error(n.loc(), "bfd_instance " + c.name +
                                 ": source_ip and neighbor_ip are of different families");
  }
  return c;
}

void DumpBfdInstance(const model::BfdInstanceConf& c, Printer& p) {
  DumpNamed("bfd_instance", c, BfdSchema(), p);
}

// ---- address blocks ----

namespace {

bool IsAddressOption(const std::string& w) {
  static const char* const kWords[] = {"brd",        "broadcast",     "dev",      "scope",
                                       "label",      "peer",          "home",     "-nodad",
                                       "mngtmpaddr", "noprefixroute", "autojoin", "preferred_lft",
                                       "no_track",   "track_group",   "use_vmac"};
  for (const char* k : kWords) {
    if (w == k) return true;
  }
  return false;
}

}  // namespace

void LowerAddressBlock(const Node& n, std::vector<model::IpAddressConf>& out, bool is_static,
                       Ctx& ctx) {
  for (const auto& line : n.children) {
    model::IpAddressConf a;
    model::IpAddressOptions o;
    const Word& first = line.words[0];
    auto pfx = base::Prefix::Parse(first.text);
    if (!pfx) {
      ctx.diags.Error(first.loc, "'" + first.text + "' is not an IP address or prefix");
      continue;
    }
    a.address = *pfx;
    a.loc = first.loc;
    bool ok = true;
    auto need = [&](size_t i) {
      if (i + 1 < line.words.size()) return true;
      ctx.diags.Error(line.words[i].loc, "'" + line.words[i].text + "' needs a value");
      ok = false;
      return false;
    };
    for (size_t i = 1; i < line.words.size() && ok; ++i) {
      const std::string& w = line.words[i].text;
      if (w == "brd" || w == "broadcast") {
        if (!need(i)) break;
        const Word& v = line.words[++i];
        if (v.text != "+" && v.text != "-" && !base::IpAddress::Parse(v.text)) {
          ctx.diags.Error(v.loc, "broadcast '" + v.text + "' is not an address, '+' or '-'");
          ok = false;
        }
        o.broadcast = v.text;
      } else if (w == "dev") {
        if (need(i)) a.dev = line.words[++i].text;
      } else if (w == "scope") {
        if (!need(i)) break;
        const Word& v = line.words[++i];
        static const char* const kScopes[] = {"site", "link", "host", "nowhere", "global"};
        bool known = base::ParseUint(v.text) && *base::ParseUint(v.text) <= 255;
        for (const char* s : kScopes) known = known || v.text == s;
        if (!known) {
          ctx.diags.Error(v.loc, "unknown scope '" + v.text + "'");
          ok = false;
        }
        o.scope = v.text;
      } else if (w == "label") {
        if (need(i)) o.label = line.words[++i].text;
      } else if (w == "peer") {
        if (!need(i)) break;
        const Word& v = line.words[++i];
        auto p = base::Prefix::Parse(v.text);
        if (!p) {
          ctx.diags.Error(v.loc, "peer '" + v.text + "' is not an IP address");
          ok = false;
        } else {
          o.peer = p->address;
        }
      } else if (w == "home") {
        o.home = true;
      } else if (w == "-nodad") {
        o.nodad = true;
      } else if (w == "mngtmpaddr") {
        o.mngtmpaddr = true;
      } else if (w == "noprefixroute") {
        o.noprefixroute = true;
      } else if (w == "autojoin") {
        o.autojoin = true;
      } else if (w == "preferred_lft") {
        if (!need(i)) break;
        const Word& v = line.words[++i];
        if (v.text != "forever" && !base::ParseUint(v.text)) {
          ctx.diags.Error(v.loc, "preferred_lft '" + v.text + "' is not a number or 'forever'");
          ok = false;
        }
        o.preferred_lft = v.text;
      } else if (w == "no_track" && !is_static) {
        o.no_track = true;
      } else if (w == "track_group" && is_static) {
        if (need(i)) o.track_group = line.words[++i].text;
      } else if (w == "use_vmac" && !is_static) {
        o.use_vmac = "";
        if (i + 1 < line.words.size() && !IsAddressOption(line.words[i + 1].text)) {
          o.use_vmac = line.words[++i].text;
        }
      } else {
        ctx.diags.Error(line.words[i].loc, "unknown address option '" + w + "'");
        ok = false;
      }
    }
    if (!ok) continue;
    if (!(o == model::IpAddressOptions{})) a.opt.mut() = std::move(o);
    out.push_back(std::move(a));
  }
}

void DumpAddressBlock(const char* kw, const std::vector<model::IpAddressConf>& v, Printer& p) {
  if (v.empty()) return;
  p.Open(kw);
  for (const auto& a : v) {
    const model::IpAddressOptions& o = a.opt.get();
    std::string s = a.address.ToString(false);
    if (!o.broadcast.empty()) s += " brd " + o.broadcast;
    if (!a.dev.empty()) s += " dev " + QuoteWord(a.dev);
    if (!o.scope.empty()) s += " scope " + o.scope;
    if (!o.label.empty()) s += " label " + QuoteWord(o.label);
    if (o.peer) s += " peer " + o.peer->ToString();
    if (o.home) s += " home";
    if (o.nodad) s += " -nodad";
    if (o.mngtmpaddr) s += " mngtmpaddr";
    if (o.noprefixroute) s += " noprefixroute";
    if (o.autojoin) s += " autojoin";
    if (o.preferred_lft) s += " preferred_lft " + *o.preferred_lft;
    if (o.no_track) s += " no_track";
    if (!o.track_group.empty()) s += " track_group " + QuoteWord(o.track_group);
    if (o.use_vmac) s += " use_vmac" + (o.use_vmac->empty() ? "" : " " + QuoteWord(*o.use_vmac));
    p.Line(s);
  }
  p.Close();
}

// ---- routes and rules ----

void LowerRouteBlock(const Node& n, std::vector<model::RouteConf>& out, bool rules, Ctx& ctx,
                     bool track_needs_dev) {
  // Options whose next word must be an address or prefix.
  static const char* const kRouteAddr[] = {"src", "via", "gw", "or", "to"};
  static const char* const kRuleAddr[] = {"from", "to"};
  static const char* const kNumeric[] = {"metric",   "priority", "preference", "order",   "mtu",
                                         "hoplimit", "advmss",   "initcwnd",   "initrwnd"};
  for (const auto& line : n.children) {
    model::RouteConf r;
    bool ok = true;
    bool have_dest = rules;
    for (size_t i = 0; i < line.words.size() && ok; ++i) {
      const Word& w = line.words[i];
      r.words.push_back(w.text);
      bool addr_next = false;
      for (const char* k :
           rules ? std::vector<const char*>(std::begin(kRuleAddr), std::end(kRuleAddr))
                 : std::vector<const char*>(std::begin(kRouteAddr), std::end(kRouteAddr))) {
        if (w.text == k) addr_next = true;
      }
      bool num_next = false;
      for (const char* k : kNumeric) num_next = num_next || w.text == k;
      if ((addr_next || num_next) && i + 1 >= line.words.size()) {
        ctx.diags.Error(w.loc, "'" + w.text + "' needs a value");
        ok = false;
        break;
      }
      if (addr_next) {
        const Word& v = line.words[++i];
        r.words.push_back(v.text);
        bool special = v.text == "all" || v.text == "default" || v.text == "default6";
        if (!special && !base::Prefix::Parse(v.text)) {
          ctx.diags.Error(v.loc, "'" + v.text + "' is not an IP address or prefix");
          ok = false;
        }
        if (w.text == "to") have_dest = true;
      } else if (num_next) {
        const Word& v = line.words[++i];
        r.words.push_back(v.text);
        if (!base::ParseUint(v.text) && v.text != "lock") {
          ctx.diags.Error(v.loc, "'" + w.text + "' needs a number, found '" + v.text + "'");
          ok = false;
        }
      } else if (!rules && !have_dest && (base::Prefix::Parse(w.text) || w.text == "default")) {
        have_dest = true;
      }
    }
    bool has_dev = false, no_track = false;
    for (const auto& w : r.words) {
      has_dev = has_dev || w == "dev" || w == "oif" || w == "iif";
      no_track = no_track || w == "no_track";
    }
    if (ok && track_needs_dev && !rules && !has_dev && !no_track) {
      ctx.diags.Warn(line.loc(),
                     "cannot track route with no interface specified (add 'dev' "
                     "or 'no_track'); not tracking");
    }
    if (ok && !have_dest) {
      ctx.diags.Error(line.loc(), "route without a destination prefix");
      ok = false;
    }
    if (ok) out.push_back(std::move(r));
  }
}

void DumpRouteBlock(const char* kw, const std::vector<model::RouteConf>& v, Printer& p) {
  if (v.empty()) return;
  p.Open(kw);
  for (const auto& r : v) p.Line(Text(r.words));
  p.Close();
}

}  // namespace vigil::config
