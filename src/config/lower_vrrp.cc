// Lowering of vrrp_instance and vrrp_sync_group.
#include "config/lower_internal.h"

namespace vigil::config {

using model::TrackLists;
using model::TrackRef;

namespace {

// track_interface / track_script / ... value block: NAME [weight N [reverse|noreverse]].
void LowerTrackList(const Node& n, std::vector<TrackRef>& out, int limit, Ctx& ctx) {
  for (size_t i = 0; i < n.argc(); ++i) {
    out.push_back(TrackRef{n.arg(i).text, n.arg(i).loc, {}, false});
  }
  for (const auto& line : n.children) {
    TrackRef r{line.keyword(), line.loc(), {}, false};
    size_t i = 1;
    while (i < line.words.size()) {
      const Word& w = line.words[i];
      if (w.text == "weight") {
        if (i + 1 >= line.words.size()) {
          ctx.diags.Error(w.loc, "'weight' needs a value");
          break;
        }
        const Word& v = line.words[i + 1];
        auto num = base::ParseInt(v.text);
        if (!num || *num < -limit || *num > limit) {
          ctx.diags.Error(v.loc, "weight '" + v.text + "' for " + r.name + " is outside [" +
                                     std::to_string(-limit) + ", " + std::to_string(limit) + "]");
        } else {
          r.weight = static_cast<int>(*num);
        }
        i += 2;
      } else if (w.text == "reverse") {
        r.reverse = true;
        ++i;
      } else if (w.text == "noreverse") {
        ++i;
      } else {
        ctx.diags.Error(w.loc, "unexpected '" + w.text + "' after tracked name " + r.name);
        break;
      }
    }
    bool dup = false;
    for (const auto& e : out) dup = dup || e.name == r.name;
    if (dup) {
      ctx.diags.Warn(line.loc(), "duplicate " + n.keyword() + " " + r.name + " - ignoring");
      continue;
    }
    out.push_back(std::move(r));
  }
}

void DumpTrackList(const char* kw, const std::vector<TrackRef>& v, Printer& p) {
  if (v.empty()) return;
  p.Open(kw);
  for (const auto& r : v) {
    std::string s = QuoteWord(r.name);
    if (r.weight) s += " weight " + std::to_string(*r.weight);
    if (r.reverse) s += " reverse";
    p.Line(s);
  }
  p.Close();
}

template <class T>
std::vector<Field<T>> TrackFields() {
  using model::defaults::kMaxTrackFileWeight;
  using model::defaults::kMaxTrackWeight;
  auto row = [](std::string_view kw, std::vector<TrackRef> TrackLists::*m, int limit) {
    return Field<T>{
        kw,
        [m, limit](T& o, const Node& n, Ctx& c) { LowerTrackList(n, o.track.*m, limit, c); },
        [m, kw](const T& o, Printer& p) { DumpTrackList(std::string(kw).c_str(), o.track.*m, p); },
        {}};
  };
  return {row("track_interface", &TrackLists::interfaces, kMaxTrackWeight),
          row("track_script", &TrackLists::scripts, kMaxTrackWeight),
          row("track_file", &TrackLists::files, kMaxTrackFileWeight),
          row("track_process", &TrackLists::processes, kMaxTrackFileWeight),
          row("track_bfd", &TrackLists::bfds, kMaxTrackWeight)};
}

template <class T>
std::vector<Field<T>> NotifyFields(bool with_deleted) {
  auto row = [](std::string_view kw, std::optional<model::Script> model::NotifyScripts::*m) {
    return Field<T>{kw,
                    [m](T& o, const Node& n, Ctx& c) {
                      if (!NeedArgs(n, 1, c, "a script")) return;
                      if (auto s = ArgScript(n, 0, c)) o.notify.mut().*m = std::move(*s);
                    },
                    [m, kw](const T& o, Printer& p) {
                      if (o.notify.get().*m) {
                        p.Line(std::string(kw) + " " + ScriptText(*(o.notify.get().*m)));
                      }
                    },
                    {}};
  };
  using N = model::NotifyScripts;
  std::vector<Field<T>> v = {row("notify_master", &N::master), row("notify_backup", &N::backup),
                             row("notify_fault", &N::fault), row("notify_stop", &N::stop),
                             row("notify", &N::generic)};
  if (with_deleted) {
    v.push_back(row("notify_master_rx_lower_pri", &N::master_rx_lower_pri));
    v.push_back(Field<T>{"notify_deleted",
                         [](T& o, const Node& n, Ctx& c) {
                           if (n.argc() == 0) {
                             o.notify.mut().notify_deleted_flag = true;
                             return;
                           }
                           if (auto s = ArgScript(n, 0, c)) o.notify.mut().deleted = std::move(*s);
                         },
                         [](const T& o, Printer& p) {
                           if (o.notify->deleted) {
                             p.Line("notify_deleted " + ScriptText(*o.notify->deleted));
                           } else if (o.notify->notify_deleted_flag) {
                             p.Line("notify_deleted");
                           }
                         },
                         {}});
  }
  return v;
}

template <class T>
void Append(std::vector<Field<T>>& to, std::vector<Field<T>> more) {
  for (auto& f : more) to.push_back(std::move(f));
}

using I = model::VrrpInstanceConf;
using X = model::VrrpInstanceTuning;

void LowerAuthentication(I& o, const Node& n, Ctx& c) {
  for (const auto& ch : n.children) {
    if (ch.keyword() == "auth_type") {
      if (!NeedArgs(ch, 1, c, "PASS or AH")) continue;
      const auto& t = ch.arg(0).text;
      if (t == "PASS") {
        o.auth_type = model::AuthType::kPass;
      } else if (t == "AH") {
        o.auth_type = model::AuthType::kAh;
      } else {
        c.diags.Error(ch.arg(0).loc, "auth_type must be PASS or AH, found '" + t + "'");
      }
    } else if (ch.keyword() == "auth_pass") {
      if (!NeedArgs(ch, 1, c, "a password")) continue;
      std::string pass = ch.arg(0).text;
      if (pass.size() > model::defaults::kMaxAuthPassLength) {
        c.diags.Warn(ch.arg(0).loc,
                     "auth_pass is longer than 8 characters; truncated to the "
                     "first 8 (RFC 2338)");
        pass.resize(model::defaults::kMaxAuthPassLength);
      }
      o.auth_pass = pass;
    } else {
      c.diags.Warn(ch.loc(), "unknown keyword '" + ch.keyword() + "' in authentication; ignored");
    }
  }
  if (o.auth_type != model::AuthType::kNone && o.auth_pass.empty()) {
    c.diags.Error(n.loc(), "authentication has an auth_type but no auth_pass");
  }
}

void LowerAuthHmac(X& o, const Node& n, Ctx& c) {
  model::AuthHmacConf h;
  for (const auto& ch : n.children) {
    const auto& kw = ch.keyword();
    if (kw == "key") {
      if (!NeedArgs(ch, 2, c, "an id and a key")) continue;
      if (auto id = ArgInt(ch, 0, 0, 255, c))
        h.keys.emplace_back(static_cast<int>(*id), ch.arg(1).text);
    } else if (kw == "active_key") {
      if (NeedArgs(ch, 1, c)) {
        if (auto id = ArgInt(ch, 0, 0, 255, c)) h.active_key = static_cast<int>(*id);
      }
    } else if (kw == "time_window") {
      if (NeedArgs(ch, 1, c)) {
        if (auto v = ArgInt(ch, 0, 1, 300, c)) h.time_window = static_cast<int>(*v);
      }
    } else if (kw == "anti_replay") {
      if (NeedArgs(ch, 1, c, "time or monotonic")) h.anti_replay = ch.arg(0).text;
    } else if (kw == "mode") {
      if (NeedArgs(ch, 1, c, "enforce, permissive or receive-only")) h.mode = ch.arg(0).text;
    } else {
      c.diags.Warn(ch.loc(), "unknown keyword '" + kw + "' in auth_hmac; ignored");
    }
  }
  o.auth_hmac = std::move(h);
}

const Schema<I>& InstanceSchema() {
  static const Schema<I> s = [] {
    static const Field<X> timer_expired{
        "timer_expired_backup",
        [](X& o, const Node& n, Ctx& c) {
          o.timer_expired_backup = 0;
          if (n.argc() > 0) {
            if (auto v = ArgInt(n, 0, 1, 254, c)) o.timer_expired_backup = static_cast<int>(*v);
          }
        },
        [](const X& o, Printer& p) {
          if (!o.timer_expired_backup) return;
          p.Line("timer_expired_backup" + (*o.timer_expired_backup
                                               ? " " + std::to_string(*o.timer_expired_backup)
                                               : std::string()));
        },
        {}};
    static const Field<X> garp_extra = OptWords<X>("garp_extra_if", &X::garp_extra_if_words);
    std::vector<Field<I>> f = {
        {"state",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "MASTER or BACKUP")) return;
           const auto& v = n.arg(0).text;
           if (v == "MASTER") {
             o.state = model::InitialState::kMaster;
           } else if (v == "BACKUP") {
             o.state = model::InitialState::kBackup;
           } else {
             c.diags.Error(n.arg(0).loc, "state must be MASTER or BACKUP, found '" + v + "'");
             return;
           }
           o.state_set = true;
         },
         [](const I& o, Printer& p) {
           if (o.state_set) {
             p.Line(o.state == model::InitialState::kMaster ? "state MASTER" : "state BACKUP");
           }
         },
         {}},
        {"interface",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "an interface name")) return;
           o.interface = n.arg(0).text;
           o.interface_loc = n.arg(0).loc;
           ExtraArgs(n, 1, c);
         },
         [](const I& o, Printer& p) {
           if (!o.interface.empty()) p.Line("interface " + QuoteWord(o.interface));
         },
         {}},
        InBox<I, X>(&I::tuning, Word1<X>("vrf", &X::vrf, "VRF binding is honoured by the VRRP engine (issue: VRRP core)")),
        Int<I>("virtual_router_id", &I::vrid, model::defaults::kMinVrid,
               model::defaults::kMaxVrid),
        {"priority",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c)) return;
           if (auto v = ArgInt(n, 0, model::defaults::kMinPriority, model::defaults::kMaxPriority,
                               c)) {
             o.priority = static_cast<int>(*v);
             o.priority_set = true;
           }
           ExtraArgs(n, 1, c);
         },
         [](const I& o, Printer& p) {
           if (o.priority_set) p.Line("priority " + std::to_string(o.priority));
         },
         {}},
        {"version",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c, "2 or 3")) return;
           if (auto v = ArgInt(n, 0, 2, 3, c)) {
             o.version = static_cast<int>(*v);
             o.version_set = true;
           }
         },
         [](const I& o, Printer& p) {
           if (o.version_set) p.Line("version " + std::to_string(o.version));
         },
         {}},
        {"advert_int",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c)) return;
           if (auto v = ArgSeconds(n, 0, c)) {
             o.advert_int = *v;
             o.advert_int_loc = n.arg(0).loc;
           }
           ExtraArgs(n, 1, c);
         },
         [](const I& o, Printer& p) {
           if (o.advert_int != model::defaults::kAdvertInt) {
             p.Line("advert_int " + Text(o.advert_int));
           }
         },
         {}},
        Ip<I>("mcast_src_ip", &I::mcast_src_ip),
        Ip<I>("unicast_src_ip", &I::unicast_src_ip),
        InBox<I, X>(&I::tuning, Ip<X>("mcast_dst_ip", &X::mcast_dst_ip)),
        InBox<I, X>(&I::tuning, Flag<X>("track_src_ip", &X::track_src_ip)),
        {"unicast_peer",
         [](I& o, const Node& n, Ctx& c) {
           for (const auto& line : n.children) {
             auto a = base::IpAddress::Parse(line.keyword());
             if (!a) {
               c.diags.Error(line.loc(), "unicast_peer '" + line.keyword() +
                                             "' is not an IP address");
               continue;
             }
             model::UnicastPeer peer{*a, line.loc(), {}, {}};
             for (size_t i = 0; i < line.argc(); i += 2) {
               const auto& k = line.arg(i).text;
               if ((k != "min_ttl" && k != "max_ttl") || i + 1 >= line.argc()) {
                 c.diags.Error(line.arg(i).loc, "unicast_peer: expected min_ttl N or max_ttl N");
                 break;
               }
               auto v = ArgInt(line, i + 1, 0, 255, c);
               if (v) (k == "min_ttl" ? peer.min_ttl : peer.max_ttl) = static_cast<int>(*v);
             }
             o.unicast_peers.push_back(peer);
           }
         },
         [](const I& o, Printer& p) {
           if (o.unicast_peers.empty()) return;
           p.Open("unicast_peer");
           for (const auto& u : o.unicast_peers) {
             std::string s = u.address.ToString();
             if (u.min_ttl) s += " min_ttl " + std::to_string(*u.min_ttl);
             if (u.max_ttl) s += " max_ttl " + std::to_string(*u.max_ttl);
             p.Line(s);
           }
           p.Close();
         },
         {}},
        InBox<I, X>(&I::tuning, Flag<X>("unicast_fault_no_peer", &X::unicast_fault_no_peer)),
        InBox<I, X>(&I::tuning, Flag<X>("check_unicast_src", &X::check_unicast_src)),
        InBox<I, X>(&I::tuning, Field<X>{"old_unicast_checksum",
         [](X& o, const Node& n, Ctx& c) {
           o.old_unicast_checksum = n.argc() ? n.arg(0).text : "";
           if (n.argc() && n.arg(0).text != "never") {
             c.diags.Error(n.arg(0).loc, "old_unicast_checksum takes only 'never'");
           }
         },
         [](const X& o, Printer& p) {
           if (o.old_unicast_checksum) {
             p.Line("old_unicast_checksum" +
                    (o.old_unicast_checksum->empty() ? "" : " " + *o.old_unicast_checksum));
           }
         },
         {}}),
        InBox<I, X>(&I::tuning, Int<X>("unicast_ttl", &X::unicast_ttl, 1, 255)),
        InBox<I, X>(&I::tuning, Flag<X>("native_ipv6", &X::native_ipv6)),
        Flag<I>("dont_track_primary", &I::dont_track_primary),
        {"virtual_ipaddress",
         [](I& o, const Node& n, Ctx& c) { LowerAddressBlock(n, o.vips, false, c); },
         [](const I& o, Printer& p) { DumpAddressBlock("virtual_ipaddress", o.vips, p); },
         {}},
        {"virtual_ipaddress_excluded",
         [](I& o, const Node& n, Ctx& c) { LowerAddressBlock(n, o.excluded_vips, false, c); },
         [](const I& o, Printer& p) {
           DumpAddressBlock("virtual_ipaddress_excluded", o.excluded_vips, p);
         },
         {}},
        Flag<I>("no_virtual_ipaddress", &I::no_virtual_ipaddress),
        InBox<I, X>(&I::tuning, Flag<X>("promote_secondaries", &X::promote_secondaries)),
        InBox<I, X>(&I::tuning, MarkDeprecated(Flag<X>("linkbeat_use_polling",
                                                       &X::linkbeat_use_polling),
                                               "linkbeat_interfaces")),
        InBox<I, X>(&I::tuning, Bool<X>("v3_checksum_as_v2", &X::v3_checksum_as_v2)),
        {"virtual_routes",
         [](I& o, const Node& n, Ctx& c) { LowerRouteBlock(n, o.virtual_routes, false, c, true); },
         [](const I& o, Printer& p) { DumpRouteBlock("virtual_routes", o.virtual_routes, p); },
         {}},
        {"virtual_rules",
         [](I& o, const Node& n, Ctx& c) { LowerRouteBlock(n, o.virtual_rules, true, c); },
         [](const I& o, Printer& p) { DumpRouteBlock("virtual_rules", o.virtual_rules, p); },
         {}},
        Flag<I>("accept", &I::accept),
        Flag<I>("no_accept", &I::no_accept),
        InBox<I, X>(&I::tuning, Bool<X>("skip_check_adv_addr", &X::skip_check_adv_addr)),
        InBox<I, X>(&I::tuning, Bool<X>("strict_mode", &X::strict_mode)),
        // `preempt` only clears an earlier `nopreempt` (keepalived: backwards compatibility).
        {"preempt", [](I& o, const Node&, Ctx&) { o.nopreempt = false; }, nullptr, {}},
        Flag<I>("nopreempt", &I::nopreempt),
        {"preempt_delay",
         [](I& o, const Node& n, Ctx& c) {
           if (!NeedArgs(n, 1, c)) return;
           auto v = ArgSeconds(n, 0, c);
           if (v && *v > std::chrono::seconds(1000)) {
             c.diags.Error(n.arg(0).loc, "preempt_delay " + n.arg(0).text +
                                             " is outside the range [0, 1000] seconds");
             return;
           }
           if (v) o.preempt_delay = *v;
         },
         [](const I& o, Printer& p) {
           if (o.preempt_delay) p.Line("preempt_delay " + Text(*o.preempt_delay));
         },
         {}},
        InBox<I, X>(&I::tuning, Field<X>{"debug",
         [](X& o, const Node& n, Ctx& c) {
           o.debug = 0;
           if (n.argc()) {
             if (auto v = ArgInt(n, 0, 0, 4, c)) o.debug = static_cast<int>(*v);
           }
         },
         [](const X& o, Printer& p) {
           if (o.debug) p.Line("debug " + std::to_string(*o.debug));
         },
         {}}),
        InBox<I, X>(&I::tuning, Bool<X>("smtp_alert", &X::smtp_alert)),
        InBox<I, X>(&I::tuning, Bool<X>("notify_priority_changes", &X::notify_priority_changes)),
        InBox<I, X>(&I::tuning,
                    MarkDeprecated(Word1<X>("lvs_sync_daemon_interface",
                                            &X::lvs_sync_daemon_interface),
                                   "the global lvs_sync_daemon")),
        InBox<I, X>(&I::tuning, Seconds<X>("garp_master_delay", &X::garp_master_delay)),
        InBox<I, X>(&I::tuning, Seconds<X>("garp_master_refresh", &X::garp_master_refresh)),
        InBox<I, X>(&I::tuning, Int<X>("garp_master_repeat", &X::garp_master_repeat, 1, 255)),
        InBox<I, X>(&I::tuning, Int<X>("garp_master_refresh_repeat", &X::garp_master_refresh_repeat, 1, 255)),
        InBox<I, X>(&I::tuning, Seconds<X>("garp_lower_prio_delay", &X::garp_lower_prio_delay)),
        InBox<I, X>(&I::tuning, Int<X>("garp_lower_prio_repeat", &X::garp_lower_prio_repeat, 0, 255)),
        InBox<I, X>(&I::tuning, Int<X>("down_timer_adverts", &X::down_timer_adverts, 1, 100)),
        InBox<I, X>(&I::tuning, timer_expired),
        InBox<I, X>(&I::tuning, Deprecated<X>("thread_timer_expired", timer_expired)),
        InBox<I, X>(&I::tuning, garp_extra),
        InBox<I, X>(&I::tuning, Deprecated<X>("vmac_garp_intvl", garp_extra)),
        InBox<I, X>(&I::tuning, Bool<X>("lower_prio_no_advert", &X::lower_prio_no_advert)),
        InBox<I, X>(&I::tuning, Bool<X>("higher_prio_send_advert", &X::higher_prio_send_advert)),
        InBox<I, X>(&I::tuning, Bool<X>("owner_ignore_adverts", &X::owner_ignore_adverts)),
        InBox<I, X>(&I::tuning, Int<X>("kernel_rx_buf_size", &X::kernel_rx_buf_size, 0, 1 << 30)),
        InBox<I, X>(&I::tuning, OptWords<X>("use_vmac", &X::use_vmac)),
        InBox<I, X>(&I::tuning, Flag<X>("use_vmac_addr", &X::use_vmac_addr)),
        InBox<I, X>(&I::tuning, Flag<X>("vmac_xmit_base", &X::vmac_xmit_base)),
        InBox<I, X>(&I::tuning, OptWords<X>("use_ipvlan", &X::use_ipvlan)),
        {"authentication", LowerAuthentication,
         [](const I& o, Printer& p) {
           if (o.auth_type == model::AuthType::kNone && o.auth_pass.empty()) return;
           p.Open("authentication");
           if (o.auth_type != model::AuthType::kNone) {
             p.Line(o.auth_type == model::AuthType::kPass ? "auth_type PASS" : "auth_type AH");
           }
           if (!o.auth_pass.empty()) p.Line("auth_pass " + QuoteWord(o.auth_pass));
           p.Close();
         },
         {}},
        InBox<I, X>(&I::tuning, Field<X>{"auth_hmac", LowerAuthHmac,
         [](const X& o, Printer& p) {
           if (!o.auth_hmac) return;
           p.Open("auth_hmac");
           for (const auto& [id, key] : o.auth_hmac->keys) {
             p.Line("key " + std::to_string(id) + " " + QuoteWord(key));
           }
           if (o.auth_hmac->active_key) {
             p.Line("active_key " + std::to_string(*o.auth_hmac->active_key));
           }
           if (o.auth_hmac->time_window) {
             p.Line("time_window " + std::to_string(*o.auth_hmac->time_window));
           }
           if (!o.auth_hmac->anti_replay.empty()) p.Line("anti_replay " + o.auth_hmac->anti_replay);
           if (!o.auth_hmac->mode.empty()) p.Line("mode " + o.auth_hmac->mode);
           p.Close();
         },
         "auth_hmac (keepalived 2.4) is stored; the VRRP engine does not sign adverts yet"})
    };
    Append(f, TrackFields<I>());
    Append(f, NotifyFields<I>(true));
    return Schema<I>("vrrp_instance", std::move(f));
  }();
  return s;
}

}  // namespace

model::VrrpInstanceConf LowerVrrpInstance(const Node& n, Ctx& ctx) {
  I c = LowerNamed(n, InstanceSchema(), ctx);
  if (c.vrid == 0) {
    ctx.diags.Error(n.loc(), "vrrp_instance " + c.name + ": virtual_router_id is not set");
  }
  // keepalived: VIPs and unicast peers must share the instance's family (that of the first
  // VIP); others are reported and ignored.
  if (!c.vips.empty()) {
    base::Family fam = c.vips[0].address.address.family();
    std::erase_if(c.vips, [&](const model::IpAddressConf& a) {
      if (a.address.address.family() == fam) return false;
      ctx.diags.Error(a.loc, "(" + c.name + ") address family of VIP " + a.address.ToString() +
                                 " must match the instance's; ignored (use "
                                 "virtual_ipaddress_excluded for the other family)");
      return true;
    });
    std::erase_if(c.unicast_peers, [&](const model::UnicastPeer& p) {
      if (p.address.family() == fam) return false;
      ctx.diags.Error(p.loc, "(" + c.name + ") unicast_peer " + p.address.ToString() +
                                 " is not of the instance's address family; ignored");
      return true;
    });
  }
  return c;
}

void FinishVrrpInstance(model::VrrpInstanceConf& c, const model::GlobalDefs& g, Ctx& ctx) {
  if (!c.version_set) {
    c.version = g.vrrp_version;
    // keepalived: an IPv6 instance without an explicit version runs VRRPv3.
    if (!c.vips.empty() && !c.vips[0].address.address.is_v4()) c.version = 3;
  }
  if (c.interface.empty() && c.tuning->vrf.empty() && !g.default_interface.empty()) {
    c.interface = g.default_interface;
  }
  if (c.interface.empty() && c.tuning->vrf.empty()) {
    ctx.diags.Error(c.loc, "vrrp_instance " + c.name + ": no interface and no default_interface");
  }
}

void DumpVrrpInstance(const model::VrrpInstanceConf& c, Printer& p, bool mask) {
  p.Open("vrrp_instance " + QuoteWord(c.name));
  if (!mask) {
    DumpFields(c, InstanceSchema(), p);
  } else {
    model::VrrpInstanceConf masked = c;
    if (!masked.auth_pass.empty()) masked.auth_pass = kMasked;
    if (masked.tuning->auth_hmac) {
      for (auto& k : masked.tuning.mut().auth_hmac->keys) k.second = kMasked;
    }
    DumpFields(masked, InstanceSchema(), p);
  }
  p.Close();
}

// ---- vrrp_sync_group ----

namespace {
using G = model::SyncGroupConf;

const Schema<G>& SyncGroupSchema() {
  static const Schema<G> s = [] {
    std::vector<Field<G>> f = {
        {"group",
         [](G& o, const Node& n, Ctx&) { o.members = BlockWords(n); },
         [](const G& o, Printer& p) {
           p.Open("group");
           for (const auto& m : o.members) p.Line(QuoteWord(m));
           p.Close();
         },
         {}},
        Bool<G>("smtp_alert", &G::smtp_alert),
        MarkDeprecated(Flag<G>("global_tracking", &G::global_tracking),
                       "track_interface/track_script/track_file on the sync group"),
        Flag<G>("sync_group_tracking_weight", &G::sync_group_tracking_weight),
        Bool<G>("notify_priority_changes", &G::notify_priority_changes),
    };
    Append(f, TrackFields<G>());
    Append(f, NotifyFields<G>(false));
    return Schema<G>("vrrp_sync_group", std::move(f));
  }();
  return s;
}

}  // namespace

model::SyncGroupConf LowerSyncGroup(const Node& n, Ctx& ctx) {
  G c = LowerNamed(n, SyncGroupSchema(), ctx);
  if (c.members.empty()) ctx.diags.Error(n.loc(), "vrrp_sync_group " + c.name + " has no group");
  return c;
}

void DumpSyncGroup(const model::SyncGroupConf& c, Printer& p) {
  DumpNamed("vrrp_sync_group", c, SyncGroupSchema(), p);
}

}  // namespace vigil::config
