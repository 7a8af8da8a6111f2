// Lowering of virtual_server (with real_server and every checker), virtual_server_group, SSL.
#include "config/lower_internal.h"

namespace vigil::config {

using model::CheckCommon;
using model::CheckerConf;
using model::CheckerKind;
using model::RealServerConf;
using model::UrlConf;
using model::VirtualServerConf;

namespace {

std::optional<model::ForwardingConf> ParseForwarding(const Node& n, Ctx& c) {
  if (!NeedArgs(n, 1, c, "NAT, DR or TUN")) return std::nullopt;
  model::ForwardingConf f;
  const auto& m = n.arg(0).text;
  if (m == "NAT") {
    f.method = model::LvsMethod::kNat;
  } else if (m == "DR") {
    f.method = model::LvsMethod::kDr;
  } else if (m == "TUN") {
    f.method = model::LvsMethod::kTun;
  } else {
    c.diags.Error(n.arg(0).loc, "'" + n.keyword() + "' must be NAT, DR or TUN, found '" + m + "'");
    return std::nullopt;
  }
  for (size_t i = 1; i < n.argc(); ++i) f.tunnel_options.push_back(n.arg(i).text);
  if (!f.tunnel_options.empty() && f.method != model::LvsMethod::kTun) {
    c.diags.Error(n.arg(1).loc, "tunnel options are only valid with TUN");
  }
  return f;
}

std::string ForwardingText(const model::ForwardingConf& f) {
  std::string s = f.method == model::LvsMethod::kNat  ? "NAT"
                  : f.method == model::LvsMethod::kDr ? "DR"
                                                      : "TUN";
  if (!f.tunnel_options.empty()) s += " " + Text(f.tunnel_options);
  return s;
}

// keepalived's HEX_STR: hex digits in words of any length ("Ab12f 3 456"); with
// `wildcards`, X/x stands for a nibble whose value is ignored.
bool IsHexText(std::string_view s, bool wildcards) {
  for (char ch : s) {
    bool ok = std::isxdigit(static_cast<unsigned char>(ch)) || (wildcards && (ch | 0x20) == 'x');
    if (!ok) return false;
  }
  return !s.empty();
}

// All arguments as one HEX_STR (words joined by single spaces), or nullopt after an error.
std::optional<std::string> HexWords(const Node& n, bool wildcards, Ctx& c) {
  std::vector<std::string> words;
  for (size_t i = 0; i < n.argc(); ++i) {
    if (!IsHexText(n.arg(i).text, wildcards)) {
      c.diags.Error(n.arg(i).loc, "'" + n.keyword() + "': '" + n.arg(i).text +
                                      "' is not hex digits" + (wildcards ? " (or X)" : ""));
      return std::nullopt;
    }
    words.push_back(n.arg(i).text);
  }
  return base::Join(words, " ");
}

// Port argument 0..65535 at argument i.
std::optional<int> ArgPort(const Node& n, size_t i, Ctx& c) {
  auto v = ArgInt(n, i, 0, 65535, c);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

// ---- checkers ----

const Schema<CheckCommon>& CommonSchema() {
  using T = CheckCommon;
  static const Field<T> retry = Int<T>("retry", &T::retry, 0, 1'000'000);
  static const Schema<T> s("checker", {
                                          Ip<T>("connect_ip", &T::connect_ip),
                                          Int<T>("connect_port", &T::connect_port, 1, 65535),
                                          Ip<T>("bindto", &T::bindto),
                                          Int<T>("bind_port", &T::bind_port, 1, 65535),
                                          Word1<T>("bind_if", &T::bind_if),
                                          Seconds<T>("connect_timeout", &T::connect_timeout),
                                          Int<T>("fwmark", &T::fwmark, 0, INT32_MAX),
                                          retry,
                                          Deprecated<T>("nb_get_retry", retry),
                                          Seconds<T>("delay_before_retry", &T::delay_before_retry),
                                          Seconds<T>("warmup", &T::warmup),
                                          Seconds<T>("delay_loop", &T::delay_loop),
                                          Bool<T>("alpha", &T::alpha),
                                          Bool<T>("log_all_failures", &T::log_all_failures),
                                      });
  return s;
}

void ParseStatusCodes(UrlConf& u, const Node& n, Ctx& c) {
  if (!NeedArgs(n, 1, c, "status codes")) return;
  for (size_t i = 0; i < n.argc(); ++i) {
    const Word& w = n.arg(i);
    size_t dash = w.text.find('-');
    auto lo = base::ParseUint(w.text.substr(0, dash));
    auto hi = dash == std::string::npos ? lo : base::ParseUint(w.text.substr(dash + 1));
    if (!lo || !hi || *lo < 100 || *hi > 599 || *lo > *hi) {
      c.diags.Error(w.loc, "status_code '" + w.text + "' is not a code or range within 100-599");
      continue;
    }
    u.status_codes.push_back({static_cast<int>(*lo), static_cast<int>(*hi)});
  }
}

const Schema<UrlConf>& UrlSchema() {
  using T = UrlConf;
  static const Schema<T> s(
      "url", {
                 Word1<T>("path", &T::path),
                 {"digest",
                  [](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c, "an MD5 digest")) return;
                    const auto& d = n.arg(0).text;
                    if (d.size() != 32 || !IsHexText(d, false)) {
                      c.diags.Error(n.arg(0).loc, "digest '" + d + "' is not 32 hex digits (MD5)");
                      return;
                    }
                    o.digest = d;
                  },
                  [](const T& o, Printer& p) {
                    if (!o.digest.empty()) p.Line("digest " + o.digest);
                  },
                  {}},
                 {"status_code",
                  ParseStatusCodes,
                  [](const T& o, Printer& p) {
                    if (o.status_codes.empty()) return;
                    std::string s = "status_code";
                    for (const auto& r : o.status_codes) {
                      s += " " + std::to_string(r.lo) +
                           (r.lo == r.hi ? "" : "-" + std::to_string(r.hi));
                    }
                    p.Line(s);
                  },
                  {}},
                 Word1<T>("virtualhost", &T::virtualhost),
                 Word1<T>("regex", &T::regex),
                 Flag<T>("regex_no_match", &T::regex_no_match),
                 {"regex_options",
                  [](T& o, const Node& n, Ctx&) {
                    for (size_t i = 0; i < n.argc(); ++i) o.regex_options.push_back(n.arg(i).text);
                  },
                  [](const T& o, Printer& p) {
                    if (!o.regex_options.empty()) p.Line("regex_options " + Text(o.regex_options));
                  },
                  "PCRE2 options are mapped to RE2 by the checker engine (issue: checkers)"},
                 Int<T>("regex_min_offset", &T::regex_min_offset, 0, INT32_MAX),
                 Int<T>("regex_max_offset", &T::regex_max_offset, 0, INT32_MAX),
                 {"regex_stack",
                  [](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 2, c, "START MAX")) return;
                    auto a = ArgInt(n, 0, 0, INT32_MAX, c), b = ArgInt(n, 1, 0, INT32_MAX, c);
                    if (a && b) o.regex_stack = std::pair<int, int>(*a, *b);
                  },
                  [](const T& o, Printer& p) {
                    if (o.regex_stack) {
                      p.Line("regex_stack " + std::to_string(o.regex_stack->first) + " " +
                             std::to_string(o.regex_stack->second));
                    }
                  },
                  "PCRE2 JIT stack sizes do not apply to RE2"},
                 Bool<T>("tls_compliant", &T::tls_compliant),
             });
  return s;
}

// Keywords valid in each checker kind beyond the common ones.
const Schema<model::CheckerDetails>& SpecificSchema(CheckerKind k) {
  using T = model::CheckerDetails;
  auto url = Field<T>{"url",
                      [](T& o, const Node& n, Ctx& c) {
                        UrlConf u;
                        ParseChildren(u, n, UrlSchema(), c);
                        if (u.path.empty()) c.diags.Error(n.loc(), "url block without a path");
                        if (!u.regex.empty() && !u.digest.empty()) {
                          c.diags.Error(n.loc(), "url cannot have both digest and regex");
                        }
                        o.urls.push_back(std::move(u));
                      },
                      [](const T& o, Printer& p) {
                        for (const auto& u : o.urls) {
                          p.Open("url");
                          DumpFields(u, UrlSchema(), p);
                          p.Close();
                        }
                      },
                      {}};
  auto http = [&](bool ssl) {
    std::vector<Field<T>> f = {
        Word1<T>("virtualhost", &T::virtualhost),
        {"http_protocol",
         [](T& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "1.0, 1.0C or 1.1")) return;
           const auto& v = n.arg(0).text;
           if (v != "1.0" && v != "1.0C" && v != "1.1" && v != "1.0c") {
             c.diags.Error(n.arg(0).loc, "http_protocol must be 1.0, 1.0C or 1.1");
             return;
           }
           o.http_protocol = v;
         },
         [](const T& o, Printer& p) {
           if (!o.http_protocol.empty()) p.Line("http_protocol " + o.http_protocol);
         },
         {}},
        Bool<T>("enable_sni", &T::enable_sni),
        Word1<T>("sni_name", &T::sni_name),
        Bool<T>("fast_recovery", &T::fast_recovery),
        url,
    };
    if (ssl) f.push_back(Bool<T>("tls_compliant", &T::tls_compliant));
    return f;
  };
  static const Schema<T> tcp("TCP_CHECK", {});
  static const Schema<T> ping("PING_CHECK", {});
  static const Schema<T> http_s("HTTP_GET", http(false));
  static const Schema<T> ssl_s("SSL_GET", http(true));
  static const Schema<T> smtp(
      "SMTP_CHECK", {Word1<T>("helo_name", &T::helo_name),
                     {"host",
                      [](T& o, const Node& n, Ctx& c) {
                        c.diags.Note(n.loc(),
                                     "SMTP_CHECK host blocks are deprecated in keepalived; "
                                     "use one SMTP_CHECK per host");
                        CheckCommon h;
                        ParseChildren(h, n, CommonSchema(), c);
                        o.smtp_hosts.push_back(std::move(h));
                      },
                      [](const T& o, Printer& p) {
                        for (const auto& h : o.smtp_hosts) {
                          p.Open("host");
                          DumpFields(h, CommonSchema(), p);
                          p.Close();
                        }
                      },
                      {}}});
  static const Schema<T> dns(
      "DNS_CHECK", {{"type",
                     [](T& o, const Node& n, Ctx& c) {
                       if (!NeedArgs(n, 1, c, "a record type")) return;
                       static const char* const kTypes[] = {"A",  "NS",  "CNAME", "SOA",
                                                            "MX", "TXT", "AAAA"};
                       for (const char* t : kTypes) {
                         if (n.arg(0).text == t) {
                           o.dns_type = t;
                           return;
                         }
                       }
                       c.diags.Error(n.arg(0).loc,
                                     "DNS_CHECK type must be one of A NS CNAME SOA MX TXT "
                                     "AAAA, found '" +
                                         n.arg(0).text + "'");
                     },
                     [](const T& o, Printer& p) {
                       if (!o.dns_type.empty()) p.Line("type " + o.dns_type);
                     },
                     {}},
                    Word1<T>("name", &T::dns_name)});
  static const Schema<T> misc(
      "MISC_CHECK",
      {ScriptField<T>("misc_path", &T::misc_path), Seconds<T>("misc_timeout", &T::misc_timeout),
       Flag<T>("misc_dynamic", &T::misc_dynamic), Words<T>("user", &T::user)});
  static const Schema<T> udp(
      "UDP_CHECK",
      {{"payload",
        [](T& o, const Node& n, Ctx& c) {
          if (!NeedArgs(n, 1, c, "hex bytes")) return;
          if (auto h = HexWords(n, false, c)) o.payload = *h;
        },
        [](const T& o, Printer& p) {
          if (!o.payload.empty()) p.Line("payload " + o.payload);
        },
        {}},
       {"require_reply",
        [](T& o, const Node& n, Ctx& c) {
          if (n.argc() == 0) {
            o.require_reply = "";
          } else if (auto h = HexWords(n, true, c)) {
            o.require_reply = *h;
          }
        },
        [](const T& o, Printer& p) {
          if (o.require_reply) {
            p.Line("require_reply" + (o.require_reply->empty() ? "" : " " + *o.require_reply));
          }
        },
        {}},
       Int<T>("min_reply_length", &T::min_reply_length, 0, 65535),
       Int<T>("max_reply_length", &T::max_reply_length, 0, 65535)});
  static const Schema<T> file("FILE_CHECK",
                              {Word1<T>("track_file", &T::track_file),
                               {"weight",
                                [](T& o, const Node& n, Ctx& c) {
                                  if (!NeedArgs(n, 1, c)) return;
                                  if (auto v = ArgInt(n, 0, -254, 254, c))
                                    o.file_weight = static_cast<int>(*v);
                                  if (n.argc() > 1)
                                    o.file_weight_reverse = n.arg(1).text == "reverse";
                                },
                                [](const T& o, Printer& p) {
                                  if (o.file_weight) {
                                    p.Line("weight " + std::to_string(*o.file_weight) +
                                           (o.file_weight_reverse ? " reverse" : ""));
                                  }
                                },
                                {}}});
  static const Schema<T> bfd("BFD_CHECK", {Word1<T>("name", &T::bfd_name)});
  switch (k) {
    case CheckerKind::kTcp:
      return tcp;
    case CheckerKind::kHttp:
      return http_s;
    case CheckerKind::kSsl:
      return ssl_s;
    case CheckerKind::kSmtp:
      return smtp;
    case CheckerKind::kDns:
      return dns;
    case CheckerKind::kMisc:
      return misc;
    case CheckerKind::kUdp:
      return udp;
    case CheckerKind::kPing:
      return ping;
    case CheckerKind::kFile:
      return file;
    case CheckerKind::kBfd:
      return bfd;
  }
  return tcp;
}

// Which common keywords each checker accepts (keepalived: MISC has only the timing ones,
// FILE has none, BFD only alpha).
bool CommonAllowed(CheckerKind k, const std::string& kw) {
  if (k == CheckerKind::kFile) return false;
  if (k == CheckerKind::kBfd) return kw == "alpha";
  if (k == CheckerKind::kMisc) {
    return kw == "retry" || kw == "delay_before_retry" || kw == "warmup" || kw == "delay_loop" ||
           kw == "alpha" || kw == "log_all_failures";
  }
  if (kw == "nb_get_retry") return k == CheckerKind::kHttp || k == CheckerKind::kSsl;
  return true;
}

std::optional<CheckerKind> CheckerKindOf(const std::string& kw) {
  static const std::pair<const char*, CheckerKind> kKinds[] = {
      {"TCP_CHECK", CheckerKind::kTcp},   {"HTTP_GET", CheckerKind::kHttp},
      {"SSL_GET", CheckerKind::kSsl},     {"SMTP_CHECK", CheckerKind::kSmtp},
      {"DNS_CHECK", CheckerKind::kDns},   {"MISC_CHECK", CheckerKind::kMisc},
      {"UDP_CHECK", CheckerKind::kUdp},   {"PING_CHECK", CheckerKind::kPing},
      {"FILE_CHECK", CheckerKind::kFile}, {"BFD_CHECK", CheckerKind::kBfd}};
  for (const auto& [name, kind] : kKinds) {
    if (kw == name) return kind;
  }
  return std::nullopt;
}

CheckerConf LowerChecker(const Node& n, CheckerKind kind, Ctx& ctx) {
  CheckerConf c;
  c.kind = kind;
  c.loc = n.loc();
  const auto& specific = SpecificSchema(kind);
  for (const auto& child : n.children) {
    if (const auto* f = specific.Find(child.keyword())) {
      Announce(*f, child, ctx);
      f->parse(c.details.mut(), child, ctx);
    } else if (const auto* g = CommonSchema().Find(child.keyword());
               g && CommonAllowed(kind, child.keyword())) {
      Announce(*g, child, ctx);
      g->parse(c.common, child, ctx);
    } else {
      ctx.diags.Warn(child.loc(), "unknown keyword '" + child.keyword() + "' in " +
                                      model::CheckerKeyword(kind) + "; ignored");
    }
  }
  const model::CheckerDetails& d = c.details.get();
  if (kind == CheckerKind::kMisc && !d.misc_path) {
    ctx.diags.Error(n.loc(), "MISC_CHECK without misc_path");
  }
  if ((kind == CheckerKind::kHttp || kind == CheckerKind::kSsl) && d.urls.empty()) {
    ctx.diags.Error(n.loc(), std::string(model::CheckerKeyword(kind)) + " without any url block");
  }
  if (kind == CheckerKind::kFile && d.track_file.empty()) {
    ctx.diags.Error(n.loc(), "FILE_CHECK without track_file");
  }
  if (kind == CheckerKind::kBfd && d.bfd_name.empty()) {
    ctx.diags.Error(n.loc(), "BFD_CHECK without name");
  }
  return c;
}

void DumpChecker(const CheckerConf& c, Printer& p) {
  p.Open(model::CheckerKeyword(c.kind));
  DumpFields(c.common, CommonSchema(), p);
  DumpFields(c.details.get(), SpecificSchema(c.kind), p);
  p.Close();
}

// ---- real_server ----

using R = RealServerConf;

const Schema<R>& RealServerSchema() {
  static const Schema<R> s(
      "real_server", {
                         Int<R>("weight", &R::weight, 0, 65535),
                         {"lvs_method",
                          [](R& o, const Node& n, Ctx& c) {
                            if (auto f = ParseForwarding(n, c)) o.forwarding = *f;
                          },
                          [](const R& o, Printer& p) {
                            if (o.forwarding) p.Line("lvs_method " + ForwardingText(*o.forwarding));
                          },
                          {}},
                         Int<R>("uthreshold", &R::uthreshold, 0, INT32_MAX),
                         Int<R>("lthreshold", &R::lthreshold, 0, INT32_MAX),
                         Bool<R>("inhibit_on_failure", &R::inhibit_on_failure),
                         ScriptField<R>("notify_up", &R::notify_up),
                         ScriptField<R>("notify_down", &R::notify_down),
                         Bool<R>("alpha", &R::alpha),
                         Int<R>("retry", &R::retry, 0, 1'000'000),
                         Seconds<R>("delay_before_retry", &R::delay_before_retry),
                         Seconds<R>("warmup", &R::warmup),
                         Seconds<R>("connect_timeout", &R::connect_timeout),
                         Seconds<R>("delay_loop", &R::delay_loop),
                         Bool<R>("smtp_alert", &R::smtp_alert),
                         Word1<R>("virtualhost", &R::virtualhost),
                         Word1<R>("snmp_name", &R::snmp_name, "SNMP is not implemented by Vigil"),
                     });
  return s;
}

RealServerConf LowerRealServer(const Node& n, Ctx& ctx) {
  RealServerConf r;
  r.loc = n.loc();
  if (NeedArgs(n, 1, ctx, "an IP address")) {
    if (auto a = ArgIp(n, 0, ctx)) r.address = *a;
    if (n.argc() > 1) r.port = ArgPort(n, 1, ctx);
  }
  for (const auto& child : n.children) {
    if (auto kind = CheckerKindOf(child.keyword())) {
      r.checkers.push_back(LowerChecker(child, *kind, ctx));
      continue;
    }
    const auto* f = RealServerSchema().Find(child.keyword());
    if (!f) {
      ctx.diags.Warn(child.loc(),
                     "unknown keyword '" + child.keyword() + "' in real_server; ignored");
      continue;
    }
    Announce(*f, child, ctx);
    f->parse(r, child, ctx);
  }
  return r;
}

void DumpRealServer(const RealServerConf& r, Printer& p) {
  std::string h = "real_server " + r.address.ToString();
  if (r.port) h += " " + std::to_string(*r.port);
  p.Open(h);
  DumpFields(r, RealServerSchema(), p);
  for (const auto& c : r.checkers) DumpChecker(c, p);
  p.Close();
}

// ---- virtual_server ----

using V = VirtualServerConf;

Field<V> SchedFlag(std::string_view kw, bool V::*m) { return Flag<V>(kw, m); }

const Schema<V>& VirtualServerSchema() {
  static const Schema<V> s = [] {
    static const Field<V> algo{
        "lb_algo",
        [](V& o, const Node& n, Ctx& c) {
          if (!NeedArgs(n, 1, c, "a scheduler")) return;
          static const char* const kSched[] = {"rr", "wrr", "lc",  "wlc",   "lblc", "sh", "mh",
                                               "dh", "fo",  "ovf", "lblcr", "sed",  "nq", "twos"};
          for (const char* k : kSched) {
            if (n.arg(0).text == k) {
              o.lb_algo = k;
              return;
            }
          }
          c.diags.Error(n.arg(0).loc, "unknown scheduler '" + n.arg(0).text + "'");
        },
        [](const V& o, Printer& p) {
          if (!o.lb_algo.empty()) p.Line("lb_algo " + o.lb_algo);
        },
        {}};
    static const Field<V> kind{"lb_kind",
                               [](V& o, const Node& n, Ctx& c) {
                                 if (auto f = ParseForwarding(n, c)) o.forwarding = *f;
                               },
                               [](const V& o, Printer& p) {
                                 if (o.forwarding) {
                                   p.Line("lb_kind " + ForwardingText(*o.forwarding));
                                 }
                               },
                               {}};
    std::vector<Field<V>> f = {
        {"ip_family",
         [](V& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "inet or inet6")) return;
           if (n.arg(0).text != "inet" && n.arg(0).text != "inet6") {
             c.diags.Error(n.arg(0).loc, "ip_family must be inet or inet6");
             return;
           }
           o.ip_family = n.arg(0).text;
         },
         [](const V& o, Printer& p) {
           if (!o.ip_family.empty()) p.Line("ip_family " + o.ip_family);
         },
         {}},
        Int<V>("retry", &V::retry, 0, 1'000'000),
        Seconds<V>("delay_before_retry", &V::delay_before_retry),
        Seconds<V>("warmup", &V::warmup),
        Seconds<V>("connect_timeout", &V::connect_timeout),
        Seconds<V>("delay_loop", &V::delay_loop),
        Bool<V>("inhibit_on_failure", &V::inhibit_on_failure),
        algo,
        Alias<V>("lvs_sched", algo),
        SchedFlag("hashed", &V::hashed),
        SchedFlag("ops", &V::ops),
        SchedFlag("flag-1", &V::flag1),
        SchedFlag("flag-2", &V::flag2),
        SchedFlag("flag-3", &V::flag3),
        SchedFlag("sh-port", &V::sh_port),
        SchedFlag("sh-fallback", &V::sh_fallback),
        SchedFlag("mh-port", &V::mh_port),
        SchedFlag("mh-fallback", &V::mh_fallback),
        kind,
        Alias<V>("lvs_method", kind),
        Word1<V>("persistence_engine", &V::persistence_engine),
        {"persistence_timeout",
         [](V& o, const Node& n, Ctx& c) {
           if (n.argc() == 0) {
             o.persistence_timeout = model::defaults::kPersistenceTimeout;
             return;
           }
           if (auto v = ArgSeconds(n, 0, c)) o.persistence_timeout = *v;
         },
         [](const V& o, Printer& p) {
           if (o.persistence_timeout) p.Line("persistence_timeout " + Text(*o.persistence_timeout));
         },
         {}},
        Ip<V>("persistence_granularity", &V::persistence_granularity),
        {"protocol",
         [](V& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "TCP, UDP or SCTP")) return;
           const auto& v = n.arg(0).text;
           if (v != "TCP" && v != "UDP" && v != "SCTP") {
             c.diags.Error(n.arg(0).loc, "protocol must be TCP, UDP or SCTP, found '" + v + "'");
             return;
           }
           o.protocol = v;
         },
         [](const V& o, Printer& p) {
           if (!o.protocol.empty()) p.Line("protocol " + o.protocol);
         },
         {}},
        Flag<V>("ha_suspend", &V::ha_suspend),
        Bool<V>("smtp_alert", &V::smtp_alert),
        Word1<V>("virtualhost", &V::virtualhost),
        Word1<V>("snmp_name", &V::snmp_name, "SNMP is not implemented by Vigil"),
        Flag<V>("alpha", &V::alpha),
        Flag<V>("omega", &V::omega),
        ScriptField<V>("quorum_up", &V::quorum_up),
        ScriptField<V>("quorum_down", &V::quorum_down),
        Int<V>("quorum", &V::quorum, 1, INT32_MAX),
        Int<V>("hysteresis", &V::hysteresis, 0, INT32_MAX),
        Int<V>("weight", &V::weight, 0, 65535),
        {"sorry_server",
         [](V& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "an IP address")) return;
           if (auto a = ArgIp(n, 0, c)) o.sorry_server = *a;
           if (n.argc() > 1) o.sorry_server_port = ArgPort(n, 1, c);
         },
         [](const V& o, Printer& p) {
           if (!o.sorry_server) return;
           p.Line("sorry_server " + o.sorry_server->ToString() +
                  (o.sorry_server_port ? " " + std::to_string(*o.sorry_server_port) : ""));
         },
         {}},
        Flag<V>("sorry_server_inhibit", &V::sorry_server_inhibit),
        {"sorry_server_lvs_method",
         [](V& o, const Node& n, Ctx& c) {
           if (auto f = ParseForwarding(n, c)) o.sorry_server_forwarding = *f;
         },
         [](const V& o, Printer& p) {
           if (o.sorry_server_forwarding) {
             p.Line("sorry_server_lvs_method " + ForwardingText(*o.sorry_server_forwarding));
           }
         },
         {}},
    };
    return Schema<V>("virtual_server", std::move(f));
  }();
  return s;
}

}  // namespace

VirtualServerConf LowerVirtualServer(const Node& n, Ctx& ctx) {
  V v;
  v.loc = n.loc();
  if (NeedArgs(n, 1, ctx, "an address, 'fwmark N' or 'group NAME'")) {
    const auto& a0 = n.arg(0).text;
    if (a0 == "fwmark") {
      v.key_kind = model::VsKeyKind::kFwmark;
      if (NeedArgs(n, 2, ctx, "a fwmark")) {
        if (auto m = ArgInt(n, 1, 1, UINT32_MAX, ctx)) v.fwmark = static_cast<int>(*m);
      }
    } else if (a0 == "group") {
      v.key_kind = model::VsKeyKind::kGroup;
      if (NeedArgs(n, 2, ctx, "a group name")) v.group = n.arg(1).text;
    } else {
      if (auto a = ArgIp(n, 0, ctx)) v.address = *a;
      if (n.argc() > 1) v.port = ArgPort(n, 1, ctx);
    }
  }
  for (const auto& child : n.children) {
    if (child.keyword() == "real_server") {
      v.real_servers.push_back(LowerRealServer(child, ctx));
      continue;
    }
    const auto* f = VirtualServerSchema().Find(child.keyword());
    if (!f) {
      ctx.diags.Warn(child.loc(),
                     "unknown keyword '" + child.keyword() + "' in virtual_server; ignored");
      continue;
    }
    Announce(*f, child, ctx);
    f->parse(v, child, ctx);
  }
  std::string what = "virtual server " + (n.argc() ? n.arg(0).text : std::string());
  if (!v.forwarding) {
    ctx.diags.Warn(n.loc(), what + ": no forwarding method set (lb_kind); using " +
                                model::defaults::kForwarding);
  }
  if (v.lb_algo.empty()) {
    ctx.diags.Warn(n.loc(),
                   what + ": no scheduler set (lb_algo); using " + model::defaults::kScheduler);
  }
  if (v.protocol.empty() && v.key_kind == model::VsKeyKind::kAddress) {
    ctx.diags.Warn(n.loc(), what + ": no protocol set; using " + model::defaults::kProtocol +
                                " as keepalived does");
  }
  for (const auto& rs : v.real_servers) {
    if (v.key_kind == model::VsKeyKind::kAddress && rs.address.family() != v.address.family() &&
        (!v.forwarding || v.forwarding->method != model::LvsMethod::kTun)) {
      ctx.diags.Error(rs.loc, "real_server " + rs.address.ToString() +
                                  " is not of the virtual server's address family");
    }
  }
  return v;
}

void DumpVirtualServer(const VirtualServerConf& v, Printer& p) {
  std::string h = "virtual_server ";
  switch (v.key_kind) {
    case model::VsKeyKind::kAddress:
      h += v.address.ToString() + (v.port ? " " + std::to_string(*v.port) : "");
      break;
    case model::VsKeyKind::kFwmark:
      h += "fwmark " + std::to_string(v.fwmark);
      break;
    case model::VsKeyKind::kGroup:
      h += "group " + QuoteWord(v.group);
      break;
  }
  p.Open(h);
  DumpFields(v, VirtualServerSchema(), p);
  for (const auto& rs : v.real_servers) DumpRealServer(rs, p);
  p.Close();
}

// ---- virtual_server_group ----

model::VirtualServerGroupConf LowerVsGroup(const Node& n, Ctx& ctx) {
  model::VirtualServerGroupConf g;
  g.name = HeaderName(n, ctx);
  g.loc = n.loc();
  for (const auto& line : n.children) {
    model::VsGroupEntry e;
    if (line.keyword() == "fwmark") {
      if (!NeedArgs(line, 1, ctx, "a fwmark")) continue;
      auto m = ArgInt(line, 0, 1, UINT32_MAX, ctx);
      if (!m) continue;
      e.fwmark = static_cast<int>(*m);
      if (line.argc() > 1) e.family = line.arg(1).text;
      g.entries.push_back(e);
      continue;
    }
    // a.b.c.d, a.b.c.d-e (last part), a.b.c.d-e.f.g.h, a.b.c.d/nn and IPv6 forms.
    const std::string& t = line.keyword();
    size_t dash = t.find('-');
    size_t slash = t.find('/');
    auto first = base::IpAddress::Parse(t.substr(0, std::min(dash, slash)));
    if (!first) {
      ctx.diags.Error(line.loc(), "'" + t + "' is not an address, range or fwmark");
      continue;
    }
    e.first = *first;
    e.last = *first;
    if (dash != std::string::npos) {
      std::string tail = t.substr(dash + 1);
      auto full = base::IpAddress::Parse(tail);
      if (full) {
        e.last = *full;
      } else if (first->is_v4()) {
        auto v = base::ParseUint(tail);
        if (!v || *v > 255 || *v < first->bytes()[3]) {
          ctx.diags.Error(line.loc(), "bad address range end in '" + t + "'");
          continue;
        }
        e.last = first->Plus(*v - first->bytes()[3]);
      } else {
        // IPv6 a:b::c-d: d is the last 16-bit group of the range's end, in hex.
        uint32_t v = 0;
        bool hex = !tail.empty() && tail.size() <= 4;
        for (char ch : tail) {
          hex = hex && std::isxdigit(static_cast<unsigned char>(ch));
          if (hex) v = v * 16 + static_cast<uint32_t>(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
        }
        uint32_t low = (uint32_t{first->bytes()[14]} << 8) | first->bytes()[15];
        if (!hex || v < low) {
          ctx.diags.Error(line.loc(), "bad address range end in '" + t + "'");
          continue;
        }
        e.last = first->Plus(v - low);
      }
      if (*e.last < *e.first || e.last->family() != e.first->family()) {
        ctx.diags.Error(line.loc(), "address range '" + t + "' ends before it starts");
        continue;
      }
    } else if (slash != std::string::npos) {
      auto pfx = base::Prefix::Parse(t);
      if (!pfx) {
        ctx.diags.Error(line.loc(), "bad prefix '" + t + "'");
        continue;
      }
      int host_bits = base::Prefix::MaxLength(pfx->address.family()) - pfx->length;
      if (host_bits > 16) {
        ctx.diags.Error(line.loc(), "prefix '" + t + "' covers more than 65536 addresses");
        continue;
      }
      e.last = e.first->Plus((uint64_t{1} << host_bits) - 1);
    }
    if (line.argc() > 0) e.port = ArgPort(line, 0, ctx);
    g.entries.push_back(e);
  }
  return g;
}

void DumpVsGroup(const model::VirtualServerGroupConf& g, Printer& p) {
  p.Open("virtual_server_group " + QuoteWord(g.name));
  for (const auto& e : g.entries) {
    if (e.fwmark) {
      p.Line("fwmark " + std::to_string(*e.fwmark) + (e.family.empty() ? "" : " " + e.family));
      continue;
    }
    std::string s = e.first->ToString();
    if (*e.last != *e.first) s += "-" + e.last->ToString();
    if (e.port) s += " " + std::to_string(*e.port);
    p.Line(s);
  }
  p.Close();
}

// ---- SSL ----

model::SslConf LowerSsl(const Node& n, Ctx& ctx) {
  using T = model::SslConf;
  static const Schema<T> s("SSL",
                           {Word1<T>("password", &T::password), Word1<T>("ca", &T::ca),
                            Word1<T>("certificate", &T::certificate), Word1<T>("key", &T::key)});
  T c;
  ParseChildren(c, n, s, ctx);
  return c;
}

void DumpSsl(const model::SslConf& c, Printer& p, bool mask) {
  p.Open("SSL");
  if (!c.password.empty())
    p.Line("password " + (mask ? std::string(kMasked) : QuoteWord(c.password)));
  if (!c.ca.empty()) p.Line("ca " + QuoteWord(c.ca));
  if (!c.certificate.empty()) p.Line("certificate " + QuoteWord(c.certificate));
  if (!c.key.empty()) p.Line("key " + QuoteWord(c.key));
  p.Close();
}

}  // namespace vigil::config
