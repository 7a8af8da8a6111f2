#include "daemon/vrrp_engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "base/rate_limit.h"
#include "daemon/kernel_specs.h"
#include "daemon/lvs_sync.h"
#include "daemon/notifier.h"
#include "daemon/smtp_alert.h"
#include "daemon/static_state.h"
#include "daemon/tracking.h"
#include "daemon/vmac.h"
#include "os/linux/accept_filter.h"
#include "os/linux/announce.h"
#include "os/linux/netlink.h"
#include "os/linux/vrrp_socket.h"
#include "vrrp/router.h"
#include "vrrp/vmac.h"

namespace vigil::daemon {

namespace asio = boost::asio;
using vrrp::Output;

namespace {

vrrp::TimePoint Now() {
  return std::chrono::time_point_cast<vrrp::Duration>(std::chrono::steady_clock::now());
}

const base::IpAddress& Group(base::Family f) {
  static const base::IpAddress v4 = *base::IpAddress::Parse("224.0.0.18");
  static const base::IpAddress v6 = *base::IpAddress::Parse("ff02::12");
  return f == base::Family::kIPv4 ? v4 : v6;
}

}  // namespace

// keepalived's garp_extra_if / vrrp_garp_extra_if "[all] SECS".
struct ExtraIf {
  vrrp::Duration every{0};  // 0: off
  bool all = false;
};

struct SyncGroupRt {
  const model::SyncGroupConf* conf;
  std::vector<size_t> members;  // instance indices, in the group's order
  std::string state;            // last notified: keepalived's word, "" before the first
};

struct VrrpEngine::Impl {
  // A router timer. Re-arming one never touches the kernel's timer unless the new deadline is
  // earlier than the armed one: a backup moves its Master_Down deadline on every advert, and
  // the armed timer, when it fires early, simply re-arms for the current deadline.
  struct TimerSlot {
    std::unique_ptr<asio::steady_timer> timer;
    std::optional<vrrp::TimePoint> deadline;  // what the router asked for (rounded), if set
    vrrp::TimePoint requested;                // what the router asked for, unrounded
    std::optional<vrrp::TimePoint> armed;     // when the asio timer will fire, if waiting
  };
  struct SocketState {
    std::unique_ptr<os::VrrpSocket> socket;
    std::unique_ptr<asio::posix::stream_descriptor> watch;
    std::array<std::vector<size_t>, 256> by_vrid;  // instances on this socket, by VRID
  };
  struct Instance {
    const model::VrrpInstanceConf* conf;
    std::unique_ptr<vrrp::Router> router;
    os::InterfaceInfo ifinfo;  // the configured interface (its link state is the instance's)
    os::InterfaceInfo vip_if;  // where the VIPs go and are announced from: it, or its VMAC
    std::string vmac;          // the VMAC's (or ipvlan's) name, if it has one
    base::Family family;
    SocketState* socket = nullptr;
    std::array<TimerSlot, 3> timers;                                  // by vrrp::Timer
    std::unique_ptr<asio::steady_timer> garp_timer;                   // second gratuitous ARP burst
    std::unique_ptr<asio::steady_timer> refresh_timer;                // garp_master_refresh
    std::unique_ptr<asio::steady_timer> extra_if_timer;               // garp_extra_if
    ExtraIf extra_if;                                                 // its interval, read once
    vrrp::ChecksumMode checksum = vrrp::ChecksumMode::kPseudoHeader;  // what we send
    vrrp::DecodeOptions decode;                                       // what we accept
    KernelSpecs specs;                    // addresses, routes and rules held as master
    bool ah = false;                      // VRRPv2 AH authentication: an AH socket, whole datagrams
    uint16_t ip_id = 0;                   // AH: the IPv4 id of the last datagram sent
    bool accept_mode = true;              // RFC 5798 Accept_Mode (keepalived accept / no_accept)
    bool link_up = true;                  // the instance's own interface
    vrrp::EffectivePriority tracked;      // from track_interface / track_script / track_file
    std::string static_fault;             // a track_group's static address is missing
    struct SyncGroupRt* group = nullptr;  // its vrrp_sync_group, if any
    bool resume = false;                  // Options::resume and its addresses are in place
    // A reload: the state the same instance had under the previous configuration, until the
    // router has entered it again (that entry is no transition: no notify, no FIFO line).
    std::optional<vrrp::State> inherited;
    bool maintenance = false;  // the operator took it out of service (vigilctl maintenance)
    bool deleted = false;      // a reload removed it: it stops now
  };
  // What a reload hands over from the instance under the previous configuration.
  struct Carried {
    vrrp::State state;
    vrrp::Stats stats;
    uint32_t ah_sequence;
    uint16_t ip_id;
    KernelSpecs specs;  // what it installed as Master
    bool maintenance;
    std::optional<vrrp::TimePoint> master_down;  // a Backup's Master_Down deadline
  };
  // keepalived's rule for "the same instance" across a reload (vrrp_exist()): VRID, address
  // family, interface, unicast or multicast. The name is not part of it.
  using MatchKey = std::tuple<int, base::Family, std::string, bool>;
  static MatchKey KeyOf(const model::VrrpInstanceConf& c) {
    auto family = c.vips.empty() ? base::Family::kIPv4 : c.vips[0].address.address.family();
    return {c.vrid, family, c.interface, c.unicast_peers.empty()};
  }

  asio::io_context& io;
  const model::Config& config;
  Options options;
  // By receiving and sending interface, family and IP protocol (112, or 51 for AH).
  std::map<std::tuple<std::string, std::string, base::Family, uint8_t>,
           std::unique_ptr<SocketState>>
      sockets;
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<SyncGroupRt> sync_groups;
  std::vector<SyncGroupRt*> groups_moved;             // members changed state: notify once settled
  int depth = 0;                                      // Step() nesting
  std::unique_ptr<asio::steady_timer> startup_timer;  // vrrp_startup_delay
  std::map<std::string, os::InterfaceInfo> interfaces;  // looked up once, at start
  std::optional<os::RtnlWriter> rtnl;
  VmacLinks vmacs;
  std::optional<StaticState> statics;
  std::optional<StaticState> previous_statics;  // the previous engine's, until Start()
  os::Announcer announcer;
  std::unique_ptr<os::AcceptFilter> accept_filter;  // created if an instance needs no_accept
  base::RateLimit announce_warnings{10, std::chrono::seconds(10)};
  base::RateLimit send_warnings{10, std::chrono::seconds(10)};
  std::optional<os::LinkMonitor> links;
  std::unique_ptr<asio::posix::stream_descriptor> links_watch;
  Notifier notifier;
  SmtpAlerter smtp;
  Tracking tracking;
  // lvs_sync_daemon IFACE inst NAME: the sync daemon follows instance NAME.
  std::optional<LvsSyncConf> lvs_sync_conf;
  std::unique_ptr<LvsSyncFollower> lvs_sync;
  // Filled by the previous engine's HandOver before Start(): by new instance name, and the
  // sync groups' last notified states by group name.
  std::map<std::string, Carried> carried;
  std::map<std::string, std::string> carried_groups;
  bool handed_over = false;  // this engine gave its instances to a newer one
  bool stopping = false;     // Shutdown() has begun

  Impl(asio::io_context& i, const model::Config& c, Options o)
      : io(i),
        config(c),
        options(o),
        notifier(i, c),
        smtp(i, c.global),
        tracking(i, c, [this](size_t index, const vrrp::EffectivePriority& p) {
          Tracked(*instances[index], p);
        }) {}

  // A tracked object changed: the effective priority, and FAULT while the instance's link is
  // down or tracking says so (keepalived's words in the log).
  void Tracked(Instance& in, const vrrp::EffectivePriority& p) {
    if (handed_over) return;
    if (p.priority != in.tracked.priority) {
      spdlog::info("{} Changing effective priority from {} to {}", Name(in), in.tracked.priority,
                   p.priority);
      Step(in, vrrp::PriorityChanged{p.priority});
      notifier.PriorityChanged(*in.conf, vrrp::StateName(in.router->state()), p.priority);
    }
    bool was_fault = in.tracked.fault;
    in.tracked = p;
    if (p.fault && !was_fault) spdlog::info("{} fault: {}", Name(in), p.fault_reason);
    UpdateReady(in);
  }

  static bool OwnReady(const Instance& in) {
    return in.link_up && !in.tracked.fault && in.static_fault.empty();
  }

  // FAULT, or not: an instance in a vrrp_sync_group can run only if every member can.
  void UpdateReady(Instance& in) {
    if (!in.group) return ApplyReady(in, OwnReady(in));
    bool all = true;
    for (size_t m : in.group->members) all = all && OwnReady(*instances[m]);
    for (size_t m : in.group->members) ApplyReady(*instances[m], all);
  }

  void ApplyReady(Instance& in, bool ready) {
    bool faulted = in.router->state() == vrrp::State::kFault;
    if (ready == faulted) {
      Step(in, vrrp::LinkChanged{ready, /*by_tracking=*/in.link_up});
    }
  }

  // keepalived's sync groups: a member that became Master, or went from Master to Backup,
  // takes the others with it.
  void SyncGroup(Instance& in, const vrrp::StateChanged& sc) {
    if (!in.group) return;
    bool to_master = sc.to == vrrp::State::kMaster;
    bool to_backup = sc.from == vrrp::State::kMaster && sc.to == vrrp::State::kBackup;
    if (!to_master && !to_backup) return;
    for (size_t m : in.group->members) {
      Instance& other = *instances[m];
      if (&other == &in || other.router->state() == sc.to) continue;
      Step(other, vrrp::SyncGroupMoved{sc.to});
    }
  }

  // keepalived notifies a sync group's state once all its members are in it.
  void GroupStateChanged(SyncGroupRt& g) {
    std::optional<vrrp::State> common;
    for (size_t m : g.members) {
      auto st = instances[m]->router->state();
      if (common && *common != st) return;  // members still moving
      common = st;
    }
    if (!common) return;
    std::string word(*common == vrrp::State::kInitialize ? "STOP" : vrrp::StateName(*common));
    if (word == g.state) return;
    g.state = word;
    spdlog::info("VRRP_Group({}) Syncing instances to {} state", g.conf->name, word);
    notifier.GroupState(*g.conf, word);
  }

  void Step(Instance& in, const vrrp::Input& input) { Step(in, input, Now()); }
  // A member's move steps the other members from inside Execute; the group's own
  // notification waits until the outermost step is done, after every member's.
  void Step(Instance& in, const vrrp::Input& input, vrrp::TimePoint now) {
    // After a hand-over a handler that completed in the same turn must not move the old
    // routers: their addresses and links belong to the new engine now.
    if (handed_over) return;
    std::vector<Output> out;
    in.router->Step(input, now, out);
    ++depth;
    Execute(in, out);
    if (--depth > 0) return;
    while (!groups_moved.empty()) {
      SyncGroupRt* g = groups_moved.front();
      groups_moved.erase(groups_moved.begin());
      GroupStateChanged(*g);
    }
  }

  std::string Name(const Instance& in) const { return "(" + in.conf->name + ")"; }

  // keepalived's nftables options (global_defs): table name, hook priority, counters.
  os::AcceptFilter::Options FilterOptions() const {
    os::AcceptFilter::Options o;
    const auto& names = config.global.nftables;
    if (names && !names->empty()) o.table = names->front();
    const auto* prio = model::FindExtra(config.global.extra, "nftables_priority");
    if (prio && prio->size() > 1) o.priority = std::atoi((*prio)[1].c_str());
    o.counters = model::FindExtra(config.global.extra, "nftables_counters") != nullptr;
    return o;
  }

  std::string VmacPrefix() const {
    const auto* w = model::FindExtra(config.global.extra, "vmac_prefix");
    return w && w->size() > 1 ? (*w)[1] : "vrrp";
  }

  // The network actions go first, in the router's order; state changes are logged after
  // them, so that formatting a log line never delays a takeover's advert or ARP.
  void Execute(Instance& in, const std::vector<Output>& outs) {
    for (const auto& o : outs) {
      if (auto* s = std::get_if<vrrp::SendAdvert>(&o)) {
        Send(in, s->advert, s->ah_sequence);
      } else if (auto* a = std::get_if<vrrp::ArmTimer>(&o)) {
        Arm(in, a->timer, a->deadline);
      } else if (auto* c = std::get_if<vrrp::CancelTimer>(&o)) {
        in.timers[static_cast<size_t>(c->timer)].deadline.reset();
      } else if (std::holds_alternative<vrrp::InstallVips>(o)) {
        Vips(in, true);
      } else if (std::holds_alternative<vrrp::RemoveVips>(o)) {
        if (!(stopping && options.keep_addresses_on_stop)) Vips(in, false);
      } else if (auto* an = std::get_if<vrrp::AnnounceVips>(&o)) {
        Announce(in, an->repeat, an->second_burst_after);
      } else if (std::holds_alternative<vrrp::LowerPriorityHeard>(o)) {
        notifier.MasterRxLowerPri(*in.conf, in.router->priority());
      }
    }
    for (const auto& o : outs) {
      if (auto* sc = std::get_if<vrrp::StateChanged>(&o)) {
        if (in.inherited) {
          bool same = sc->from == vrrp::State::kInitialize && sc->to == *in.inherited;
          in.inherited.reset();
          if (same) {  // a reload: the instance goes on in its state
            spdlog::info("{} keeps {} STATE across the reload", Name(in), vrrp::StateName(sc->to));
            if (sc->to == vrrp::State::kMaster) {
              ScheduleRefresh(in);
              ScheduleExtraIf(in);
            }
            if (lvs_sync && in.conf->name == lvs_sync_conf->instance) {
              lvs_sync->InstanceState(std::string(vrrp::StateName(sc->to)));
            }
            continue;
          }
        }
        // keepalived's words, which log-based monitoring depends on.
        spdlog::info("{} Entering {} STATE{}", Name(in), vrrp::StateName(sc->to),
                     sc->from == vrrp::State::kInitialize ? " (init)" : "");
        if (sc->to == vrrp::State::kMaster) {
          ScheduleRefresh(in);
          ScheduleExtraIf(in);
        }
        // keepalived's words for notify scripts and FIFO lines; INIT is only entered on stop.
        SyncGroup(in, *sc);
        std::string word(sc->to == vrrp::State::kInitialize ? "STOP" : vrrp::StateName(sc->to));
        // An instance a reload removed is notified as keepalived 2.2.7 does: DELETED if it has
        // notify_deleted (with or without a script), FAULT if not.
        std::string notify_word = word;
        if (in.deleted && sc->to == vrrp::State::kInitialize) {
          const auto& n = in.conf->notify.get();
          notify_word = n.deleted || n.notify_deleted_flag ? "DELETED" : "FAULT";
        }
        notifier.InstanceState(*in.conf, notify_word, in.router->priority());
        smtp.InstanceState(*in.conf, word);
        if (lvs_sync && in.conf->name == lvs_sync_conf->instance) lvs_sync->InstanceState(word);
        if (in.group) groups_moved.push_back(in.group);
        spdlog::debug("{} {} -> {}: {}", Name(in), vrrp::StateName(sc->from),
                      vrrp::StateName(sc->to), sc->reason);
      }
    }
  }

  void Send(Instance& in, const vrrp::Advertisement& a, uint32_t sequence) {
    const auto& cfg = in.router->config();
    std::vector<base::IpAddress> dests;
    if (!in.conf->unicast_peers.empty()) {
      for (const auto& p : in.conf->unicast_peers) dests.push_back(p.address);
    } else {
      dests.push_back(in.conf->tuning->mcast_dst_ip.value_or(Group(in.family)));
    }
    for (const auto& d : dests) {
      auto bytes = vrrp::Encode(a, cfg.primary_address, d, in.checksum);
      if (in.ah) {
        if (++in.ip_id == 0) in.ip_id = 1;  // the kernel would replace a zero id
        vrrp::AhIpFields ip{cfg.primary_address, d, in.ip_id};
        bytes = vrrp::BuildAhDatagram(bytes, ip, cfg.auth_data, sequence,
                                      !in.conf->unicast_peers.empty());
      }
      std::string err;
      uint64_t suppressed = 0;
      if (!in.socket->socket->Send(bytes, d, &err) &&
          send_warnings.Allow(std::chrono::steady_clock::now(), &suppressed)) {
        spdlog::warn("{} sending advert to {}: {}{}", Name(in), d.ToString(), err,
                     suppressed ? fmt::format(" ({} similar warnings suppressed)", suppressed)
                                : std::string());
      }
    }
  }

  // Adverts may leave up to 1% of the advertisement interval (at most 10 ms) late, so that
  // the adverts of many instances due at about the same time leave in one wakeup (the next
  // one is still due one interval after the previous due time: see WaitFor). The other
  // timers are exact: Master_Down decides how soon a dead Master is replaced, and rounding
  // it up would add its grain to every failover.
  static vrrp::TimePoint RoundUp(vrrp::TimePoint t, vrrp::Duration interval, vrrp::Timer which) {
    if (which != vrrp::Timer::kAdver) return t;
    auto grain = std::min<vrrp::Duration>(std::chrono::microseconds(10'000), interval / 100);
    if (grain.count() <= 1) return t;
    auto ticks = (t.time_since_epoch().count() + grain.count() - 1) / grain.count();
    return vrrp::TimePoint(vrrp::Duration(ticks * grain.count()));
  }

  void Arm(Instance& in, vrrp::Timer t, vrrp::TimePoint deadline) {
    auto& slot = in.timers[static_cast<size_t>(t)];
    slot.requested = deadline;
    slot.deadline = RoundUp(deadline, in.router->config().advertisement_interval, t);
    if (slot.armed && *slot.armed <= *slot.deadline) return;  // fires first, then re-arms
    if (!slot.timer) slot.timer = std::make_unique<asio::steady_timer>(io);
    WaitFor(in, t, *slot.deadline);
  }

  void WaitFor(Instance& in, vrrp::Timer t, vrrp::TimePoint when) {
    auto& slot = in.timers[static_cast<size_t>(t)];
    slot.armed = when;
    slot.timer->expires_at(when);
    Instance* p = &in;
    slot.timer->async_wait([this, p, t](const boost::system::error_code& ec) {
      if (ec) return;  // replaced by an earlier deadline, or shutting down
      auto& sl = p->timers[static_cast<size_t>(t)];
      sl.armed.reset();
      if (!sl.deadline) return;  // cancelled by the router
      if (*sl.deadline > Now()) return WaitFor(*p, t, *sl.deadline);
      sl.deadline.reset();
      // The Adver_Timer's expiry is stamped with its due time, so that the next advert is
      // due one interval after it: the wakeup's rounding and latency delay each advert a
      // little but never accumulate into a longer interval. A loop that fell a whole
      // interval behind (stopped, overloaded) starts afresh instead of catching up in a burst.
      auto now = Now();
      bool on_time = now - sl.requested < p->router->config().advertisement_interval;
      Step(*p, vrrp::TimerFired{t}, t == vrrp::Timer::kAdver && on_time ? sl.requested : now);
    });
  }

  const os::InterfaceInfo* Interface(const std::string& name) {
    auto it = interfaces.find(name);
    if (it == interfaces.end()) {
      auto info = os::LookupInterface(name);
      if (!info) return nullptr;
      it = interfaces.emplace(name, *info).first;
    }
    return &it->second;
  }

  const os::InterfaceInfo& InterfaceFor(Instance& in, const model::IpAddressConf& a) {
    if (a.dev.empty()) return in.vip_if;
    const auto* info = Interface(a.dev);
    return info ? *info : in.vip_if;
  }

  // Master's kernel state, keepalived's order: addresses, then the routes and rules that may
  // use them; removal in reverse.
  void Vips(Instance& in, bool add) {
    auto report = [&](bool ok, const std::string& err) {
      if (!ok) spdlog::error("{} {}", Name(in), err);
    };
    std::string err = "no netlink socket";
    if (!rtnl) return report(false, err);
    const KernelSpecs& k = in.specs;
    if (add) {
      // Accept_Mode False: the drop is in place before the address is. With Accept_Mode True
      // a drop left from before a reload that turned it on goes.
      for (const auto& a : k.addresses) {
        if (!in.accept_mode) {
          report(accept_filter->Block(a.prefix.address, &err), err);
        } else if (accept_filter) {
          report(accept_filter->Unblock(a.prefix.address, &err), err);
        }
      }
      for (const auto& a : k.addresses) report(rtnl->AddAddress(a, &err), err);
      for (const auto& r : k.routes) report(rtnl->AddRoute(r, &err), err);
      for (const auto& r : k.rules) report(rtnl->AddRule(r, &err), err);
    } else {
      for (const auto& r : k.rules) report(rtnl->DeleteRule(r, &err), err);
      for (const auto& r : k.routes) report(rtnl->DeleteRoute(r, &err), err);
      for (const auto& a : k.addresses) report(rtnl->DeleteAddress(a, &err), err);
      if (accept_filter) {  // also after a reload that turned Accept_Mode on
        for (const auto& a : k.addresses) {
          report(accept_filter->Unblock(a.prefix.address, &err), err);
        }
      }
    }
  }

  // Gratuitous ARP / unsolicited NA: `repeat` of each VIP now, and as many again
  // `second_after` later if still Master.
  void Announce(Instance& in, int repeat, vrrp::Duration second_after) {
    for (int i = 0; i < repeat; ++i) AnnounceOnce(in, /*only_other_interfaces=*/false);
    if (second_after.count() == 0) return;
    if (!in.garp_timer) in.garp_timer = std::make_unique<asio::steady_timer>(io);
    in.garp_timer->expires_after(second_after);
    Instance* p = &in;
    in.garp_timer->async_wait([this, p, repeat](const boost::system::error_code& ec) {
      if (!ec && p->router->state() == vrrp::State::kMaster) Announce(*p, repeat, {});
    });
  }

  // One announcement for each VIP and excluded VIP (keepalived announces both); with
  // `only_other_interfaces`, only for those not on the instance's own interface.
  void AnnounceOnce(Instance& in, bool only_other_interfaces) {
    for (const auto* list : {&in.conf->vips, &in.conf->excluded_vips}) {
      for (const auto& v : *list) {
        const auto& out = InterfaceFor(in, v);
        if (only_other_interfaces && out.ifindex == in.ifinfo.ifindex) continue;
        Paced(
            Announcement{out.ifindex, out.mac, v.address.address, &in,
                         v.dev.empty() ? (in.vmac.empty() ? in.conf->interface : in.vmac) : v.dev});
      }
    }
  }

  // keepalived's garp_extra_if / vrrp_garp_extra_if "[all] SECS": while Master, announce every
  // SECS the addresses on interfaces other than the instance's (a VMAC's), or with `all`
  // every address.
  ExtraIf ExtraIfFor(const model::VrrpInstanceConf& conf) const {
    std::vector<std::string> words;
    if (conf.tuning->garp_extra_if_words) {
      words = *conf.tuning->garp_extra_if_words;
    } else if (const auto* g = model::FindExtra(config.global.extra, "vrrp_garp_extra_if")) {
      words.assign(g->begin() + 1, g->end());
    }
    ExtraIf e;
    for (const auto& w : words) {
      if (w == "all") {
        e.all = true;
      } else {
        e.every = std::chrono::duration_cast<vrrp::Duration>(
            std::chrono::duration<double>(std::atof(w.c_str())));
      }
    }
    return e;
  }

  void ScheduleExtraIf(Instance& in) {
    if (in.extra_if.every.count() <= 0) return;
    if (!in.extra_if_timer) in.extra_if_timer = std::make_unique<asio::steady_timer>(io);
    in.extra_if_timer->expires_after(in.extra_if.every);
    Instance* p = &in;
    in.extra_if_timer->async_wait([this, p](const boost::system::error_code& ec) {
      if (ec || p->router->state() != vrrp::State::kMaster) return;
      AnnounceOnce(*p, !p->extra_if.all);
      ScheduleExtraIf(*p);
    });
  }

  struct Announcement {
    int ifindex;
    std::vector<uint8_t> mac;
    base::IpAddress address;
    Instance* in;
    std::string ifname;
  };
  // keepalived's vrrp_garp_interval / vrrp_gna_interval (or a garp_group's, for its
  // interfaces): on one interface, announcements leave at least that far apart.
  struct Lane {
    std::deque<Announcement> queue;
    std::chrono::steady_clock::time_point next_free{};
    std::unique_ptr<asio::steady_timer> timer;
  };
  std::map<std::pair<int, bool>, Lane> lanes;  // by ifindex, IPv4

  vrrp::Duration PaceFor(const std::string& ifname, bool v4) const {
    for (const auto& g : config.garp_groups) {
      bool member = g.interface == ifname;
      for (const auto& i : g.interfaces) member = member || i == ifname;
      const auto& d = v4 ? g.garp_interval : g.gna_interval;
      if (member && d) return *d;
    }
    const auto& d = v4 ? config.global.vrrp_garp_interval : config.global.vrrp_gna_interval;
    return d.value_or(vrrp::Duration{0});
  }

  void Paced(Announcement a) {
    bool v4 = a.address.is_v4();
    auto pace = PaceFor(a.ifname, v4);
    if (pace.count() == 0) return SendAnnouncement(a);
    auto& lane = lanes[{a.ifindex, v4}];
    auto now = std::chrono::steady_clock::now();
    if (lane.queue.empty() && now >= lane.next_free) {
      SendAnnouncement(a);
      lane.next_free = now + pace;
      return;
    }
    lane.queue.push_back(std::move(a));
    if (lane.queue.size() == 1) DrainLater(lane, pace);
  }

  void DrainLater(Lane& lane, vrrp::Duration pace) {
    if (!lane.timer) lane.timer = std::make_unique<asio::steady_timer>(io);
    lane.timer->expires_at(lane.next_free);
    Lane* l = &lane;
    lane.timer->async_wait([this, l, pace](const boost::system::error_code& ec) {
      if (ec || l->queue.empty()) return;
      Announcement a = std::move(l->queue.front());
      l->queue.pop_front();
      // Only a Master announces: one that stepped down meanwhile drops what is queued.
      if (a.in->router->state() == vrrp::State::kMaster) SendAnnouncement(a);
      l->next_free = std::chrono::steady_clock::now() + pace;
      if (!l->queue.empty()) DrainLater(*l, pace);
    });
  }

  void SendAnnouncement(const Announcement& a) {
    std::string err;
    bool ok = a.address.is_v4() ? announcer.GratuitousArp(a.ifindex, a.mac, a.address, &err)
                                : announcer.UnsolicitedNa(a.ifindex, a.mac, a.address, &err);
    uint64_t suppressed = 0;
    if (!ok && announce_warnings.Allow(std::chrono::steady_clock::now(), &suppressed)) {
      spdlog::warn("{} announcing {}: {}{}", Name(*a.in), a.address.ToString(), err,
                   suppressed ? fmt::format(" ({} similar warnings suppressed)", suppressed)
                              : std::string());
    }
  }

  // keepalived's garp_master_refresh: while Master, announce again every interval.
  void ScheduleRefresh(Instance& in) {
    auto every = in.conf->tuning->garp_master_refresh.value_or(
        config.global.vrrp_garp_master_refresh.value_or(vrrp::Duration{0}));
    if (every.count() == 0) return;
    int repeat = in.conf->tuning->garp_master_refresh_repeat.value_or(
        config.global.vrrp_garp_master_refresh_repeat.value_or(
            model::defaults::kGarpMasterRefreshRepeat));
    if (!in.refresh_timer) in.refresh_timer = std::make_unique<asio::steady_timer>(io);
    in.refresh_timer->expires_after(every);
    Instance* p = &in;
    in.refresh_timer->async_wait([this, p, repeat](const boost::system::error_code& ec) {
      if (ec || p->router->state() != vrrp::State::kMaster) return;
      Announce(*p, repeat, {});
      ScheduleRefresh(*p);
    });
  }

  void Watch(SocketState& s) {
    s.watch->async_wait(asio::posix::stream_descriptor::wait_read,
                        [this, &s](const boost::system::error_code& ec) {
                          if (ec || handed_over) return;
                          while (auto d = s.socket->Receive()) Dispatch(s, *d);
                          Watch(s);
                        });
  }

  void Dispatch(SocketState& s, const os::ReceivedDatagram& d) {
    bool ah = d.protocol == vrrp::kIpProtoAh;
    // The VRID is the message's second byte; with AH the message follows the AH header.
    size_t vrid_at = ah ? vrrp::kAhHeaderSize + 1 : 1;
    if ((!ah && d.protocol != vrrp::kIpProtoVrrp) || d.payload.size() <= vrid_at) return;
    for (size_t idx : s.by_vrid[d.payload[vrid_at]]) {
      Instance& in = *instances[idx];
      if (d.source == in.router->config().primary_address) continue;  // our own
      bool unicast = !in.conf->unicast_peers.empty();
      if (unicast && in.conf->tuning->check_unicast_src) {
        bool known = false;
        for (const auto& p : in.conf->unicast_peers) known = known || p.address == d.source;
        if (!known) continue;
      }
      std::span<const uint8_t> message = d.payload;
      std::optional<uint32_t> sequence;
      if (ah) {
        auto v = vrrp::VerifyAh(std::span(d.ip_header.data(), d.ip_header_size), d.payload,
                                in.router->config().auth_data, unicast);
        if (auto* e = std::get_if<vrrp::AhError>(&v)) {
          in.router->CountAhError(*e);
          continue;
        }
        message = std::get<vrrp::AhVerified>(v).message;
        sequence = std::get<vrrp::AhVerified>(v).sequence;
      }
      vrrp::RxMeta meta{d.source, d.destination, d.ttl};
      auto r = vrrp::Decode(message, meta, in.decode);
      if (auto* e = std::get_if<vrrp::DecodeError>(&r)) {
        in.router->CountDecodeError(*e);
        continue;
      }
      Step(in, vrrp::AdvertReceived{std::get<vrrp::Decoded>(r).advert, meta, sequence});
    }
  }

  void StaticsChanged() {
    for (auto& in : instances) {
      std::string why = statics->FaultFor(in->conf->name);
      if (why == in->static_fault) continue;
      if (!why.empty()) spdlog::info("{} fault: {}", Name(*in), why);
      in->static_fault = why;
      UpdateReady(*in);
    }
  }

  void WatchLinks() {
    links_watch->async_wait(asio::posix::stream_descriptor::wait_read,
                            [this](const boost::system::error_code& ec) {
                              if (ec || handed_over) return;
                              std::vector<os::LinkMonitor::AddressChange> addrs;
                              auto changes = links->Read(&addrs);
                              bool statics_moved = false;
                              for (const auto& a : addrs) {
                                if (statics && statics->AddressChanged(a)) statics_moved = true;
                              }
                              if (statics_moved) StaticsChanged();
                              for (const auto& c : changes) {
                                for (auto& in : instances) {
                                  if (in->ifinfo.ifindex != c.ifindex) continue;
                                  in->link_up = c.up;
                                  UpdateReady(*in);
                                }
                                tracking.LinkChanged(c.ifindex, c.up);
                              }
                              WatchLinks();
                            });
  }

  bool Start() {
    notifier.Start();  // the FIFOs are open before the first state change
    std::string err;
    StartLvsSync();
    if (auto w = os::RtnlWriter::Open(&err)) {
      rtnl.emplace(std::move(*w));
    } else {
      spdlog::error("virtual addresses cannot be changed: {}", err);
    }
    if (auto lm = os::LinkMonitor::Open(&err, /*addresses=*/!config.track_groups.empty())) {
      links.emplace(std::move(*lm));
    }
    statics.emplace(config, [this](const std::string& name) {
      const auto* i = Interface(name);
      return i ? i->ifindex : 0;
    });
    for (const auto& e : statics->errors()) spdlog::error("{}; not used", e);
    if (rtnl) statics->Install(*rtnl);
    if (rtnl && previous_statics) {  // a reload: what the previous file had and this one not
      RemoveSpecs("static", previous_statics->specs(), &statics->specs());
      previous_statics.reset();
    }
    if (links) {
      links_watch = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(links->fd()));
      WatchLinks();
    } else {
      spdlog::warn("link state will not be followed: {}", err);
    }
    for (const auto& conf : config.vrrp_instances) {
      auto inst = std::make_unique<Instance>();
      inst->conf = &conf;
      const auto* info = Interface(conf.interface);
      if (!info) {
        spdlog::error("({}) interface {} not found; instance not started", conf.name,
                      conf.interface);
        continue;
      }
      inst->ifinfo = *info;
      inst->vip_if = *info;
      inst->family =
          conf.vips.empty() ? base::Family::kIPv4 : conf.vips[0].address.address.family();
      // use_vmac / use_ipvlan: the VIPs go on the new link, and adverts (unless
      // vmac_xmit_base) leave through it, so that they carry the virtual MAC.
      std::string rx_if = conf.interface, tx_if = conf.interface;
      auto plan = vrrp::PlanVmac(conf, inst->family, VmacPrefix());
      if (auto* e = std::get_if<std::string>(&plan)) {
        spdlog::error("({}) {}; instance not started", conf.name, *e);
        continue;
      }
      bool strict = conf.tuning->strict_mode.value_or(config.global.vrrp_strict);
      if (auto* p = std::get_if<vrrp::VmacPlan>(&plan)) {
        if (strict) p->xmit_base = false;  // keepalived resets it under strict mode
        std::optional<os::InterfaceInfo> link;
        if (rtnl) link = vmacs.Create(*rtnl, *p, conf.interface, *info, inst->family, &err);
        if (!link) {
          spdlog::error("({}) {}; instance not started", conf.name, rtnl ? err : "no netlink");
          continue;
        }
        inst->vip_if = *link;
        inst->vmac = vmacs.last_name();
        if (!p->xmit_base) tx_if = vmacs.last_name();
        // Adverts from a peer's VMAC arrive on ours (the kernel hands a private macvlan the
        // frames that carry its own MAC); unicast ones are addressed to the parent.
        if (!p->xmit_base && conf.unicast_peers.empty()) rx_if = vmacs.last_name();
      }
      inst->specs = SpecsFor(conf, inst->vip_if.ifindex, [this](const std::string& name) {
        const auto* i = Interface(name);
        return i ? i->ifindex : 0;
      });
      for (const auto& e : inst->specs.errors) spdlog::error("({}) {}; not used", conf.name, e);
      // keepalived: accept unless strict mode or no_accept; the address owner always
      // accepts; strict mode resets accept with VRRPv2 (RFC 3768 has no Accept_Mode).
      inst->accept_mode = conf.priority == 255 || (conf.accept && !(strict && conf.version == 2)) ||
                          (!conf.no_accept && !strict);
      if (!inst->accept_mode && !accept_filter) {
        accept_filter = std::make_unique<os::AcceptFilter>(FilterOptions());
      }
      std::optional<base::IpAddress> primary = inst->family == base::Family::kIPv4
                                                   ? (conf.unicast_src_ip ? conf.unicast_src_ip
                                                      : conf.mcast_src_ip ? conf.mcast_src_ip
                                                                          : info->primary_v4)
                                                   : info->link_local_v6;
      if (!primary) {
        spdlog::error("({}) interface {} has no {} address to send from", conf.name, conf.interface,
                      inst->family == base::Family::kIPv4 ? "IPv4" : "IPv6 link-local");
        continue;
      }
      bool as_v2 = conf.tuning->v3_checksum_as_v2.value_or(config.global.v3_checksum_as_v2);
      inst->checksum = as_v2 ? vrrp::ChecksumMode::kMessageOnly : vrrp::ChecksumMode::kPseudoHeader;
      // keepalived: old_unicast_checksum accepts both conventions on receive.
      bool both = conf.tuning->old_unicast_checksum.has_value();
      inst->decode.accept_message_only = as_v2 || both;
      inst->decode.accept_pseudo_header = !as_v2 || both;
      inst->router =
          std::make_unique<vrrp::Router>(vrrp::RouterConfig::From(conf, config.global, *primary));
      inst->ah = inst->router->config().auth_type == vrrp::AuthType::kAh &&
                 inst->family == base::Family::kIPv4;
      uint8_t protocol = inst->ah ? vrrp::kIpProtoAh : vrrp::kIpProtoVrrp;
      auto key = std::make_tuple(rx_if, tx_if, inst->family, protocol);
      auto& slot = sockets[key];
      if (!slot) {
        std::optional<base::IpAddress> group;
        if (conf.unicast_peers.empty()) group = Group(inst->family);
        auto sock = os::VrrpSocket::Open(inst->family, rx_if, *primary, group, &err, protocol,
                                         tx_if == rx_if ? std::string() : tx_if);
        if (!sock) {
          spdlog::error("({}) {}", conf.name, err);
          sockets.erase(key);
          continue;
        }
        slot = std::make_unique<SocketState>();
        slot->socket = std::make_unique<os::VrrpSocket>(std::move(*sock));
        slot->watch =
            std::make_unique<asio::posix::stream_descriptor>(io, ::dup(slot->socket->fd()));
        Watch(*slot);
      }
      slot->by_vrid[conf.vrid].push_back(instances.size());
      inst->socket = slot.get();
      inst->tracked = tracking.Add(instances.size(), conf, model::SyncGroupOf(config, conf.name));
      inst->extra_if = ExtraIfFor(conf);
      inst->link_up = info->up;
      instances.push_back(std::move(inst));
    }
    if (instances.empty()) {
      spdlog::error("no VRRP instance could be started");
      RemoveCarriedLeftovers({});  // a reload's Masters leave nothing behind
      return false;
    }
    sync_groups.reserve(config.sync_groups.size());  // members point into it
    for (const auto& g : config.sync_groups) {
      auto& rt = sync_groups.emplace_back(SyncGroupRt{&g, {}, {}});
      for (const auto& name : g.members) {
        for (size_t i = 0; i < instances.size(); ++i) {
          if (instances[i]->conf->name == name) rt.members.push_back(i);
        }
      }
      for (size_t m : rt.members) instances[m]->group = &rt;
    }
    // A Master left over from a crash may still hold the addresses: start clean, unless this
    // is our own restart and they are all there (Options::resume).
    std::vector<base::IpAddress> local;
    if (options.resume) local = os::LocalAddresses();
    for (auto& in : instances) {
      const auto& addrs = in->specs.addresses;
      if (auto c = carried.find(in->conf->name); c != carried.end()) {
        in->maintenance = c->second.maintenance;
        in->inherited = c->second.state;
        in->resume = c->second.state == vrrp::State::kMaster;
        continue;  // its addresses are as the previous engine left them
      }
      in->resume = options.resume && !addrs.empty() &&
                   std::all_of(addrs.begin(), addrs.end(), [&](const os::AddressSpec& a) {
                     return std::find(local.begin(), local.end(), a.prefix.address) != local.end();
                   });
      if (!in->resume) Vips(*in, false);
    }
    tracking.Start();
    auto delay = config.global.vrrp_startup_delay.value_or(vrrp::Duration{0});
    // The boot-time wait is not for a restart or a reload.
    if (options.resume || !carried.empty()) delay = vrrp::Duration{0};
    for (auto& g : sync_groups) {
      if (auto c = carried_groups.find(g.conf->name); c != carried_groups.end())
        g.state = c->second;
    }
    if (rtnl) vmacs.RemoveUnused(*rtnl);  // the links of instances a reload removed
    if (delay.count() == 0) {
      StartInstances();
    } else {
      // keepalived's vrrp_startup_delay: the instances wait (silent, in INIT) after a boot
      // for the network to settle.
      spdlog::info("Delaying startup for {:.3f} seconds",
                   std::chrono::duration<double>(delay).count());
      startup_timer = std::make_unique<asio::steady_timer>(io, delay);
      startup_timer->async_wait([this](const boost::system::error_code& ec) {
        if (!ec) StartInstances();
      });
    }
    return true;
  }

  void StartInstances() {
    std::vector<Instance*> was_master;  // carried Masters: what they held may have to go
    StartEach(was_master);
    RemoveCarriedLeftovers(was_master);
  }

  // After a reload's start: what the previous configuration's Masters installed and no
  // Master of this one holds now goes (an address that moved between two instances stays),
  // also for a carried Master that did not start at all.
  void RemoveCarriedLeftovers(const std::vector<Instance*>& was_master) {
    if (carried.empty()) return;
    KernelSpecs held;
    for (const auto& in : instances) {
      if (in->router->state() != vrrp::State::kMaster) continue;
      const auto& k = in->specs;
      held.addresses.insert(held.addresses.end(), k.addresses.begin(), k.addresses.end());
      held.routes.insert(held.routes.end(), k.routes.begin(), k.routes.end());
      held.rules.insert(held.rules.end(), k.rules.begin(), k.rules.end());
    }
    for (Instance* in : was_master) {
      RemoveSpecs(in->conf->name, carried.at(in->conf->name).specs, &held);
    }
    for (const auto& [name, c] : carried) {
      bool running = false;
      for (const auto& in : instances) running = running || in->conf->name == name;
      if (running || c.state != vrrp::State::kMaster) continue;
      spdlog::error("({}) not started after the reload: its addresses are released", name);
      RemoveSpecs(name, c.specs, &held);
    }
  }

  void StartEach(std::vector<Instance*>& was_master) {
    for (auto& in : instances) {
      if (in->maintenance) {  // carried over a reload: it stays out of service
        in->inherited.reset();
        continue;
      }
      if (in->tracked.priority != in->conf->priority) {
        Step(*in, vrrp::PriorityChanged{in->tracked.priority});
      }
      bool resume = in->resume && !in->tracked.fault && in->link_up;
      auto carry = carried.find(in->conf->name);
      if (resume && carry == carried.end()) {
        spdlog::info("{} its addresses are in place after a restart", Name(*in));
      }
      Step(*in, vrrp::Startup{resume});
      if (carry != carried.end()) {
        const Carried& c = carry->second;
        in->router->Restore(c.stats, c.ah_sequence);
        in->ip_id = c.ip_id;
        // A Backup keeps its Master_Down deadline: a reload neither hastens nor delays a
        // takeover (a Master's advert went out at its start, as keepalived's pre-reload one).
        if (c.master_down && in->router->state() == vrrp::State::kBackup) {
          Arm(*in, vrrp::Timer::kMasterDown, *c.master_down);
        }
        if (c.state == vrrp::State::kMaster) was_master.push_back(in.get());
      }
      if (in->tracked.fault) spdlog::info("{} fault: {}", Name(*in), in->tracked.fault_reason);
      UpdateReady(*in);
    }
  }

  // Removes what `old` installs and `keep` (if given) does not.
  void RemoveSpecs(const std::string& instance, const KernelSpecs& old, const KernelSpecs* keep) {
    if (!rtnl) return;
    const std::string name = "(" + instance + ")";
    std::string err;
    auto kept = [&](const auto& item, const auto& list) {
      return keep && std::find(list.begin(), list.end(), item) != list.end();
    };
    for (const auto& r : old.rules) {
      if (!kept(r, keep ? keep->rules : old.rules) && !rtnl->DeleteRule(r, &err)) {
        spdlog::error("{} {}", name, err);
      }
    }
    for (const auto& r : old.routes) {
      if (!kept(r, keep ? keep->routes : old.routes) && !rtnl->DeleteRoute(r, &err)) {
        spdlog::error("{} {}", name, err);
      }
    }
    for (const auto& a : old.addresses) {
      if (kept(a, keep ? keep->addresses : old.addresses)) continue;
      if (!rtnl->DeleteAddress(a, &err)) spdlog::error("{} {}", name, err);
      if (accept_filter) accept_filter->Unblock(a.prefix.address, &err);
      spdlog::info("{} reload: {} removed", name, a.prefix.ToString());
    }
  }

  // Stops every timer, socket watch, script and file watch, touching nothing in the kernel.
  void Quiesce() {
    if (startup_timer) startup_timer->cancel();
    for (auto& in : instances) {
      for (auto& slot : in->timers) {
        slot.deadline.reset();
        if (slot.timer) slot.timer->cancel();
      }
      if (in->garp_timer) in->garp_timer->cancel();
      if (in->refresh_timer) in->refresh_timer->cancel();
      if (in->extra_if_timer) in->extra_if_timer->cancel();
    }
    for (auto& [k, lane] : lanes) {
      if (lane.timer) lane.timer->cancel();
    }
    tracking.Stop();
    for (auto& [k, s] : sockets) s->watch->cancel();
    if (links_watch) links_watch->cancel();
  }

  // A reload: gives `next` (not started yet) what it needs to go on where this engine stands.
  // Instances without a match in `next` stop as at shutdown; the others' states and counters
  // are carried, and the kernel state this engine owns (VMAC links, the accept filter's
  // table) passes to `next` as it is.
  void HandOver(Impl& next) {
    std::map<MatchKey, const model::VrrpInstanceConf*> wanted;
    for (const auto& c : next.config.vrrp_instances) wanted.emplace(KeyOf(c), &c);
    for (auto& in : instances) {
      auto it = wanted.find(KeyOf(*in->conf));
      if (it == wanted.end()) {
        spdlog::info("{} reload: instance removed", Name(*in));
        in->deleted = true;
        Step(*in, vrrp::Shutdown{});
        continue;
      }
      const auto& r = *in->router;
      const auto& md = in->timers[static_cast<size_t>(vrrp::Timer::kMasterDown)];
      std::optional<vrrp::TimePoint> master_down;
      if (r.state() == vrrp::State::kBackup && md.deadline) master_down = md.requested;
      next.carried[it->second->name] =
          Carried{r.state(), r.stats(),       r.ah_sequence(), in->ip_id,
                  in->specs, in->maintenance, master_down};
      wanted.erase(it);  // one previous instance per new one
    }
    for (const auto& g : sync_groups) next.carried_groups[g.conf->name] = g.state;
    next.tracking.SeedScripts(tracking.Scripts());
    Quiesce();
    next.vmacs = std::move(vmacs);
    next.vmacs.BeginReuse();
    vmacs = VmacLinks();
    next.accept_filter = std::move(accept_filter);
    next.previous_statics = std::move(statics);
    statics.reset();
    // The new engine starts its own sync daemon; this one's is stopped now rather than when
    // this engine is destroyed, which would stop the new one's (the kernel has one).
    lvs_sync.reset();
    handed_over = true;
  }

  void Shutdown(std::function<void()> done) {
    if (handed_over) return notifier.Stop(std::move(done));
    stopping = true;
    if (startup_timer) startup_timer->cancel();
    for (auto& in : instances) Step(*in, vrrp::Shutdown{});  // Masters send priority 0
    Quiesce();
    // After the priority 0 adverts, which leave through them; -V keeps them with the
    // addresses on them.
    if (rtnl && !options.keep_addresses_on_stop) vmacs.RemoveAll(*rtnl);
    if (rtnl && statics) statics->Remove(*rtnl);
    if (accept_filter) accept_filter->Close();
    notifier.Stop(std::move(done));
  }

  void StartLvsSync() {
    lvs_sync_conf = ParseLvsSyncDaemon(config);
    if (!lvs_sync_conf || lvs_sync_conf->instance.empty()) return;
    bool known = false;
    for (const auto& c : config.vrrp_instances) known = known || c.name == lvs_sync_conf->instance;
    if (!known) {
      spdlog::error("lvs_sync_daemon: VRRP instance {} is not defined; no sync daemon is started",
                    lvs_sync_conf->instance);
      return;
    }
    std::string err;
    lvs_sync = MakeLvsSyncFollower(*lvs_sync_conf, &err);
    if (!lvs_sync) {
      spdlog::error("lvs_sync_daemon: {}; no sync daemon is started", err);
      return;
    }
    lvs_sync->InstanceState("BACKUP");  // until the instance says otherwise, as keepalived
  }

  // vigilctl maintenance: out of service, a Master hands over as at a graceful stop (priority
  // 0, addresses released) and the instance stays silent in INIT; back in service it starts
  // as at startup (Backup, then Master if it wins, preempting as configured).
  std::string Maintenance(const std::string& name, bool on) {
    for (auto& in : instances) {
      if (in->conf->name != name) continue;
      nlohmann::json r = {{"ok", true}, {"instance", name}, {"maintenance", on}};
      if (in->maintenance == on) return r.dump();
      in->maintenance = on;
      if (on) {
        spdlog::info("{} taken out of service by the operator", Name(*in));
        Step(*in, vrrp::Shutdown{});
        for (auto& slot : in->timers) slot.deadline.reset();
        if (in->garp_timer) in->garp_timer->cancel();
        if (in->refresh_timer) in->refresh_timer->cancel();
        if (in->extra_if_timer) in->extra_if_timer->cancel();
      } else {
        spdlog::info("{} back in service", Name(*in));
        if (in->tracked.priority != in->router->priority()) {
          Step(*in, vrrp::PriorityChanged{in->tracked.priority});
        }
        Step(*in, vrrp::Startup{});
        UpdateReady(*in);
      }
      r["state"] = vrrp::StateName(in->router->state());
      return r.dump();
    }
    return nlohmann::json{{"ok", false}, {"error", "no vrrp_instance " + name}}.dump();
  }

  std::string StatusJson() const {
    nlohmann::json doc;
    doc["instances"] = nlohmann::json::array();
    if (lvs_sync) doc["lvs_sync_daemon"] = lvs_sync->running();
    for (size_t index = 0; index < instances.size(); ++index) {
      const auto& in = instances[index];
      const auto& r = *in->router;
      const auto& st = r.stats();
      const auto& rc = r.config();
      nlohmann::json vips = nlohmann::json::array();
      for (const auto& v : in->conf->vips) vips.push_back(v.address.ToString());
      doc["instances"].push_back({
          {"name", in->conf->name},
          {"maintenance", in->maintenance},
          {"state", vrrp::StateName(r.state())},
          {"interface", in->conf->interface},
          {"vmac_interface", in->vmac},
          {"vrid", in->conf->vrid},
          {"version", in->conf->version},
          {"base_priority", in->conf->priority},
          {"effective_priority", r.priority()},
          {"advert_int", std::chrono::duration<double>(in->conf->advert_int).count()},
          {"master_adver_int", std::chrono::duration<double>(r.master_adver_interval()).count()},
          {"vips", vips},
          {"fault_reason", in->tracked.fault           ? in->tracked.fault_reason
                           : !in->static_fault.empty() ? in->static_fault
                                                       : std::string()},
          {"tracking", tracking.Status(index)},
          // What the router resolved from the instance and global_defs (keepalived's dumps).
          {"src_ip", rc.primary_address.ToString()},
          {"accept", in->accept_mode},
          {"strict_mode", rc.strict},
          {"skip_check_adv_addr", rc.skip_check_adv_addr},
          {"preempt_delay", std::chrono::duration<double>(rc.preempt_delay).count()},
          {"garp_delay", std::chrono::duration<double>(rc.garp_master_delay).count()},
          {"garp_repeat", rc.garp_master_repeat},
          {"garp_lower_prio_delay",
           std::chrono::duration<double>(rc.garp_lower_prio_delay).count()},
          {"garp_lower_prio_repeat", rc.garp_lower_prio_repeat},
          {"lower_prio_no_advert", rc.lower_prio_no_advert},
          {"higher_prio_send_advert", rc.higher_prio_send_advert},
          {"auth_type", rc.auth_type == vrrp::AuthType::kPass ? "PASS"
                        : rc.auth_type == vrrp::AuthType::kAh ? "AH"
                                                              : "none"},
          {"master_down_interval", std::chrono::duration<double>(r.master_down_interval()).count()},
          {"stats",
           {{"advert_rcvd", st.advert_rcvd},
            {"advert_sent", st.advert_sent},
            {"become_master", st.become_master},
            {"release_master", st.release_master},
            {"packet_len_err", st.packet_len_err},
            {"advert_interval_err", st.advert_interval_err},
            {"ip_ttl_err", st.ip_ttl_err},
            {"invalid_type_rcvd", st.invalid_type_rcvd},
            {"addr_list_err", st.addr_list_err},
            {"invalid_authtype", st.invalid_authtype},
            {"authtype_mismatch", st.authtype_mismatch},
            {"auth_failure", st.auth_failure},
            {"ah_replay", st.ah_replay},
            {"pri_zero_rcvd", st.pri_zero_rcvd},
            {"pri_zero_sent", st.pri_zero_sent}}},
      });
    }
    return doc.dump();
  }
};

VrrpEngine::VrrpEngine(asio::io_context& io, const model::Config& config, Options options)
    : impl_(std::make_unique<Impl>(io, config, options)) {}
VrrpEngine::~VrrpEngine() = default;
bool VrrpEngine::Start() { return impl_->Start(); }
void VrrpEngine::Shutdown(std::function<void()> done) { impl_->Shutdown(std::move(done)); }
bool VrrpEngine::TakeOver(VrrpEngine& previous) {
  previous.impl_->HandOver(*impl_);
  return Start();  // previous's notifier stops at its Shutdown, after ours opened the FIFOs
}
std::string VrrpEngine::StatusJson() const { return impl_->StatusJson(); }
void VrrpEngine::ClearStats() {
  for (auto& in : impl_->instances) in->router->Restore(vrrp::Stats{}, in->router->ah_sequence());
}
std::string VrrpEngine::Maintenance(const std::string& instance, bool on) {
  return impl_->Maintenance(instance, on);
}

}  // namespace vigil::daemon
