#include "vrrp/router.h"

#include <algorithm>

namespace vigil::vrrp {

using std::chrono::microseconds;
using std::chrono::seconds;

std::string_view StateName(State s) {
  switch (s) {
    case State::kInitialize:
      return "INIT";
    case State::kBackup:
      return "BACKUP";
    case State::kMaster:
      return "MASTER";
    case State::kFault:
      return "FAULT";
  }
  return "?";
}

std::string_view TimerName(Timer t) {
  switch (t) {
    case Timer::kAdver:
      return "Adver_Timer";
    case Timer::kMasterDown:
      return "Master_Down_Timer";
    case Timer::kPreemptDelay:
      return "preempt_delay";
  }
  return "?";
}

RouterConfig RouterConfig::From(const model::VrrpInstanceConf& c, const model::GlobalDefs& g,
                                const base::IpAddress& primary) {
  namespace d = model::defaults;
  RouterConfig r;
  r.name = c.name;
  r.vrid = static_cast<uint8_t>(c.vrid);
  r.version = static_cast<uint8_t>(c.version);
  r.priority = static_cast<uint8_t>(c.priority);
  r.advertisement_interval = c.advert_int;
  r.preempt = !c.nopreempt;
  const model::VrrpInstanceTuning& t = c.tuning.get();
  r.strict = t.strict_mode.value_or(g.vrrp_strict);
  r.skip_check_adv_addr = t.skip_check_adv_addr.value_or(g.vrrp_skip_check_adv_addr);
  r.preempt_delay = r.strict ? Duration{0} : c.preempt_delay.value_or(Duration{0});
  r.lower_prio_no_advert =
      t.lower_prio_no_advert.value_or(g.vrrp_lower_prio_no_advert.value_or(false));
  r.higher_prio_send_advert = t.higher_prio_send_advert.value_or(
      g.vrrp_higher_prio_send_advert.value_or(d::kHigherPrioSendAdvert));
  // keepalived's vrrp_min_garp: one announcement at the transition, no second burst.
  bool min_garp = model::ExtraFlag(g.extra, "vrrp_min_garp");
  r.garp_master_repeat = t.garp_master_repeat.value_or(
      g.vrrp_garp_master_repeat.value_or(min_garp ? 1 : d::kGarpMasterRepeat));
  r.garp_master_delay = t.garp_master_delay.value_or(
      g.vrrp_garp_master_delay.value_or(min_garp ? Duration{0} : d::kGarpMasterDelay));
  // keepalived: the lower-priority bursts default to the master ones.
  r.garp_lower_prio_repeat = t.garp_lower_prio_repeat.value_or(
      g.vrrp_garp_lower_prio_repeat.value_or(r.garp_master_repeat));
  r.garp_lower_prio_delay =
      t.garp_lower_prio_delay.value_or(g.vrrp_garp_lower_prio_delay.value_or(r.garp_master_delay));
  r.check_ttl = c.unicast_peers.empty();
  for (const auto& p : c.unicast_peers) {
    if (p.min_ttl || p.max_ttl)
      r.peer_ttl.push_back({p.address, p.min_ttl.value_or(0), p.max_ttl.value_or(255)});
  }
  r.primary_address = primary;
  for (const auto& v : c.vips) r.vips.push_back(v.address.address);
  if (c.version == 2 && c.auth_type != model::AuthType::kNone && !r.strict) {
    r.auth_type = c.auth_type == model::AuthType::kPass ? AuthType::kPass : AuthType::kAh;
    std::copy_n(c.auth_pass.begin(), std::min(c.auth_pass.size(), r.auth_data.size()),
                r.auth_data.begin());
  }
  return r;
}

Router::Router(RouterConfig config)
    : config_(std::move(config)),
      priority_(config_.priority),
      master_adver_interval_(config_.advertisement_interval) {}

// RFC 3768 §6.1: Skew_Time = (256 - Priority) / 256 seconds.
// RFC 5798 §6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256.
Duration Router::skew_time() const {
  int64_t base_us = config_.version == 2 ? 1'000'000 : master_adver_interval_.count();
  return microseconds((256 - priority_) * base_us / 256);
}

// Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time (VRRPv2: the configured
// Advertisement_Interval).
Duration Router::master_down_interval() const {
  Duration interval =
      config_.version == 2 ? config_.advertisement_interval : master_adver_interval_;
  return 3 * interval + skew_time();
}

// ---- the table ----

using R = Router;
const std::array<std::array<Router::Handler, static_cast<size_t>(Router::Event::kCount)>, 4>
    Router::kTable = {{
        // Startup, Shutdown, Advert, AdverTimer, MasterDownTimer, PreemptTimer, LinkDown,
        // LinkUp, Priority, SyncMaster, SyncBackup
        /* Initialize */ {&R::InitStartup, &R::Ignore, &R::Ignore, &R::Ignore, &R::Ignore,
                          &R::Ignore, &R::Ignore, &R::Ignore, &R::SetPriority, &R::Ignore,
                          &R::Ignore},
        /* Backup */
        {&R::Ignore, &R::BackupShutdown, &R::BackupAdvert, &R::Ignore, &R::BackupMasterDown,
         &R::BackupPreempt, &R::ToFault, &R::Ignore, &R::SetPriority, &R::SyncToMaster, &R::Ignore},
        /* Master */
        {&R::Ignore, &R::MasterShutdown, &R::MasterAdvert, &R::MasterAdverTimer, &R::Ignore,
         &R::Ignore, &R::ToFault, &R::Ignore, &R::SetPriority, &R::Ignore, &R::SyncToBackup},
        /* Fault */
        {&R::Ignore, &R::FaultShutdown, &R::Ignore, &R::Ignore, &R::Ignore, &R::Ignore, &R::Ignore,
         &R::FaultLinkUp, &R::SetPriority, &R::Ignore, &R::Ignore},
    }};

Router::Event Router::EventOf(const Input& in) {
  switch (in.index()) {
    case 0:
      return Event::kStartup;
    case 1:
      return Event::kShutdown;
    case 2:
      return Event::kAdvert;
    case 3:
      switch (std::get<TimerFired>(in).timer) {
        case Timer::kAdver:
          return Event::kAdverTimer;
        case Timer::kMasterDown:
          return Event::kMasterDownTimer;
        case Timer::kPreemptDelay:
          return Event::kPreemptTimer;
      }
      break;
    case 4:
      return std::get<LinkChanged>(in).up ? Event::kLinkUp : Event::kLinkDown;
    case 5:
      return Event::kPriority;
    case 6:
      return std::get<SyncGroupMoved>(in).to == State::kMaster ? Event::kSyncMaster
                                                               : Event::kSyncBackup;
  }
  return Event::kPriority;
}

void Router::Step(const Input& in, TimePoint now, std::vector<Output>& out) {
  Event e = EventOf(in);
  if (e == Event::kAdvert && !Accept(std::get<AdvertReceived>(in))) return;
  Handler h = kTable[static_cast<size_t>(state_)][static_cast<size_t>(e)];
  (this->*h)(in, now, out);
}

void Router::CountDecodeError(DecodeError e) {
  switch (e) {
    case DecodeError::kPacketLength:
      ++stats_.packet_len_err;
      break;
    case DecodeError::kType:
      ++stats_.invalid_type_rcvd;
      break;
    case DecodeError::kVersion:
    case DecodeError::kChecksum:
    case DecodeError::kAddressFamily:
      ++stats_.version_err;
      break;
  }
}

void Router::CountAhError(AhError e) {
  switch (e) {
    case AhError::kLength:
      ++stats_.packet_len_err;
      break;
    case AhError::kIcv:
    case AhError::kSpi:
      ++stats_.auth_failure;
      break;
    case AhError::kNextHeader:
      break;  // not a VRRP datagram
  }
}

bool Router::Accept(const AdvertReceived& rx) {
  const Advertisement& a = rx.advert;
  // RFC 5798 §7.1 / RFC 3768 §7.1: the TTL/hop limit must be 255 (multicast).
  if (config_.check_ttl && rx.meta.ttl != 255) {
    ++stats_.ip_ttl_err;
    return false;
  }
  for (const auto& p : config_.peer_ttl) {
    if (p.peer == rx.meta.source && (rx.meta.ttl < p.min_ttl || rx.meta.ttl > p.max_ttl)) {
      ++stats_.ip_ttl_err;
      return false;
    }
  }
  if (a.version != config_.version) {
    ++stats_.version_err;
    return false;
  }
  if (a.vrid != config_.vrid) {
    ++stats_.vrid_err;
    return false;
  }
  if (a.version == 2) {
    if (static_cast<uint8_t>(a.auth_type) > static_cast<uint8_t>(AuthType::kAh)) {
      ++stats_.invalid_authtype;
      return false;
    }
    // keepalived: an AH header must be present exactly when AH is configured.
    if (a.auth_type != config_.auth_type ||
        rx.ah_sequence.has_value() != (config_.auth_type == AuthType::kAh)) {
      ++stats_.authtype_mismatch;
      return false;
    }
    // RFC 2402 §3.4.3 anti-replay, as keepalived applies it: above the highest number seen.
    if (rx.ah_sequence) {
      if (*rx.ah_sequence <= ah_sequence_) {
        ++stats_.auth_failure;
        ++stats_.ah_replay;
        return false;
      }
      ah_sequence_ = *rx.ah_sequence;
    }
    if (a.auth_type == AuthType::kPass && a.auth_data != config_.auth_data) {
      ++stats_.auth_failure;
      return false;
    }
    // RFC 3768 §7.1: a VRRPv2 advert whose interval differs from ours MUST be discarded.
    if (microseconds(seconds(a.adver_int)) != config_.advertisement_interval) {
      ++stats_.advert_interval_err;
      return false;
    }
  }
  // RFC 5798 §7.1: a mismatched address list SHOULD be logged (counted); it is not dropped.
  if (!config_.skip_check_adv_addr || !last_source_ || *last_source_ != rx.meta.source) {
    std::vector<base::IpAddress> got = a.addresses, want = config_.vips;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got != want) ++stats_.addr_list_err;
  }
  last_source_ = rx.meta.source;
  ++stats_.advert_rcvd;
  if (a.priority == 0) ++stats_.pri_zero_rcvd;
  return true;
}

void Router::Transition(State to, std::string_view reason, TimePoint now,
                        std::vector<Output>& out) {
  State from = state_;
  state_ = to;
  out.push_back(StateChanged{from, to, reason});
  if (from == State::kMaster && to != State::kMaster) {
    ++stats_.release_master;
    out.push_back(CancelTimer{Timer::kAdver});
    out.push_back(RemoveVips{});
  }
  if (to != State::kBackup) {
    out.push_back(CancelTimer{Timer::kMasterDown});
    if (preempt_pending_) out.push_back(CancelTimer{Timer::kPreemptDelay});
    preempt_pending_ = false;
  }
  if (to == State::kMaster) {
    // RFC 5798 §6.4.2: send an ADVERTISEMENT, broadcast gratuitous ARP (IPv6: unsolicited
    // NA) for each address, set the Adver_Timer.
    ++stats_.become_master;
    out.push_back(InstallVips{});
    SendAdvertisement(priority_, out);
    out.push_back(AnnounceVips{config_.garp_master_repeat, config_.garp_master_delay});
    ArmAdverTimer(now, out);
  }
}

void Router::SendAdvertisement(int priority, std::vector<Output>& out) {
  Advertisement a;
  a.version = config_.version;
  a.vrid = config_.vrid;
  a.priority = static_cast<uint8_t>(priority);
  auto interval_us = config_.advertisement_interval.count();
  a.adver_int =
      static_cast<uint16_t>(config_.version == 2 ? interval_us / 1'000'000 : interval_us / 10'000);
  a.addresses = config_.vips;
  if (config_.version == 2) {
    a.auth_type = config_.auth_type;
    if (config_.auth_type == AuthType::kPass) a.auth_data = config_.auth_data;
  }
  uint32_t sequence = 0;
  if (config_.auth_type == AuthType::kAh) {
    // 2^32 adverts at VRRPv2's 1 s minimum interval is 136 years; the counter saturates.
    if (ah_sequence_ < UINT32_MAX) ++ah_sequence_;
    sequence = ah_sequence_;
  }
  ++stats_.advert_sent;
  if (priority == 0) ++stats_.pri_zero_sent;
  out.push_back(SendAdvert{std::move(a), sequence});
}

void Router::ArmAdverTimer(TimePoint now, std::vector<Output>& out) {
  out.push_back(ArmTimer{Timer::kAdver, now + config_.advertisement_interval});
}

void Router::ArmMasterDownTimer(Duration in, TimePoint now, std::vector<Output>& out) {
  out.push_back(ArmTimer{Timer::kMasterDown, now + in});
}

// ---- handlers ----

// RFC 5798 §6.4.1: the address owner becomes Master at once; everyone else waits one
// Master_Down_Interval as Backup.
void Router::InitStartup(const Input& in, TimePoint now, std::vector<Output>& out) {
  master_adver_interval_ = config_.advertisement_interval;
  if (priority_ == 255) {
    Transition(State::kMaster, "address owner starts as master", now, out);
    return;
  }
  const auto* s = std::get_if<Startup>(&in);
  if (s && s->resume_master) {
    Transition(State::kMaster, "resumes as master (its addresses were kept)", now, out);
    return;
  }
  Transition(State::kBackup, "startup", now, out);
  ArmMasterDownTimer(master_down_interval(), now, out);
}

void Router::BackupShutdown(const Input&, TimePoint now, std::vector<Output>& out) {
  Transition(State::kInitialize, "shutdown", now, out);
}

// RFC 5798 §6.4.3: cancel the Adver_Timer, send an ADVERTISEMENT with Priority 0.
void Router::MasterShutdown(const Input&, TimePoint now, std::vector<Output>& out) {
  SendAdvertisement(0, out);
  Transition(State::kInitialize, "shutdown (priority 0 sent)", now, out);
}

void Router::FaultShutdown(const Input&, TimePoint now, std::vector<Output>& out) {
  Transition(State::kInitialize, "shutdown", now, out);
}

// RFC 5798 §6.4.2 (Backup receives an ADVERTISEMENT).
void Router::BackupAdvert(const Input& in, TimePoint now, std::vector<Output>& out) {
  const Advertisement& a = std::get<AdvertReceived>(in).advert;
  if (a.priority == 0) {
    // The Master is leaving: take over after Skew_Time only.
    ArmMasterDownTimer(skew_time(), now, out);
    return;
  }
  bool acceptable = !config_.preempt || a.priority >= priority_;
  if (!acceptable && config_.preempt_delay.count() > 0) {
    // keepalived's preempt_delay: tolerate a lower-priority Master until the delay ends.
    if (!preempt_pending_) {
      preempt_pending_ = true;
      out.push_back(ArmTimer{Timer::kPreemptDelay, now + config_.preempt_delay});
    }
    acceptable = true;
  }
  if (!acceptable) return;  // discard: our Master_Down_Timer will make us Master
  if (a.priority >= priority_ && preempt_pending_) {
    preempt_pending_ = false;
    out.push_back(CancelTimer{Timer::kPreemptDelay});
  }
  if (config_.version == 3) {
    master_adver_interval_ = microseconds(int64_t{a.adver_int} * 10'000);
  }
  ArmMasterDownTimer(master_down_interval(), now, out);
}

// RFC 5798 §6.4.3 (Master receives an ADVERTISEMENT).
void Router::MasterAdvert(const Input& in, TimePoint now, std::vector<Output>& out) {
  const AdvertReceived& rx = std::get<AdvertReceived>(in);
  const Advertisement& a = rx.advert;
  if (a.priority == 0) {
    SendAdvertisement(priority_, out);
    ArmAdverTimer(now, out);
    return;
  }
  bool higher = a.priority > priority_ ||
                (a.priority == priority_ && config_.primary_address < rx.meta.source);
  if (higher) {
    // keepalived's higher_prio_send_advert: let the winner hear us once before we yield (it
    // may be running lower_prio_no_advert and not know there were two Masters).
    if (config_.higher_prio_send_advert) SendAdvertisement(priority_, out);
    if (config_.version == 3) {
      master_adver_interval_ = microseconds(int64_t{a.adver_int} * 10'000);
    }
    Transition(State::kBackup,
               a.priority > priority_ ? "higher priority advert received"
                                      : "equal priority advert from a higher address",
               now, out);
    ArmMasterDownTimer(master_down_interval(), now, out);
    return;
  }
  out.push_back(LowerPriorityHeard{a.priority});
  // RFC 9568 §6.4.3 (and keepalived unless lower_prio_no_advert): answer a lower-priority
  // Master at once so that it steps down without waiting for our next advert.
  if (!config_.lower_prio_no_advert) {
    SendAdvertisement(priority_, out);
    ArmAdverTimer(now, out);
  }
  // keepalived's garp_lower_prio_repeat/delay: the other Master's gratuitous ARPs may have
  // pointed hosts at it; announce our MAC again.
  if (config_.garp_lower_prio_repeat > 0) {
    out.push_back(AnnounceVips{config_.garp_lower_prio_repeat, config_.garp_lower_prio_delay});
  }
}

void Router::BackupMasterDown(const Input&, TimePoint now, std::vector<Output>& out) {
  Transition(State::kMaster, "Master_Down_Timer expired", now, out);
}

void Router::BackupPreempt(const Input&, TimePoint now, std::vector<Output>& out) {
  if (!preempt_pending_) return;
  preempt_pending_ = false;
  Transition(State::kMaster, "preempt_delay expired; preempting a lower-priority master", now, out);
}

void Router::MasterAdverTimer(const Input&, TimePoint now, std::vector<Output>& out) {
  SendAdvertisement(priority_, out);
  ArmAdverTimer(now, out);
}

void Router::ToFault(const Input& in, TimePoint now, std::vector<Output>& out) {
  bool tracking = std::get<LinkChanged>(in).by_tracking;
  Transition(State::kFault, tracking ? "tracked object failed" : "interface down", now, out);
}

void Router::FaultLinkUp(const Input& in, TimePoint now, std::vector<Output>& out) {
  InitStartup(in, now, out);
}

void Router::SyncToMaster(const Input&, TimePoint now, std::vector<Output>& out) {
  Transition(State::kMaster, "sync group member became master", now, out);
}

void Router::SyncToBackup(const Input&, TimePoint now, std::vector<Output>& out) {
  Transition(State::kBackup, "sync group member became backup", now, out);
  ArmMasterDownTimer(master_down_interval(), now, out);
}

void Router::SetPriority(const Input& in, TimePoint, std::vector<Output>& out) {
  int p = std::get<PriorityChanged>(in).priority;
  p = std::clamp(p, 1, 255);
  if (p == priority_) return;
  priority_ = p;
  // Tell the Backups at once: one of them may now have the higher priority.
  if (state_ == State::kMaster) SendAdvertisement(priority_, out);
}

}  // namespace vigil::vrrp
