// The VRRP router: one virtual router's state machine (RFC 5798 §6.4, RFC 3768 §6.4), pure.
//
// It never reads a clock or touches a socket. The daemon feeds it inputs stamped with `now`
// (start, stop, a received advert, a timer that fired, link changes, priority changes) and
// executes the outputs it appends, in order: adverts to send, timers to arm or cancel,
// virtual addresses to install, announce or remove, and state changes to log and count.
// Transitions go through one table (state x event -> handler) and one Transition() that
// records the reason, counts become_master/release_master and emits the VIP actions.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/ip.h"
#include "base/strings.h"
#include "model/config.h"
#include "vrrp/ah.h"
#include "vrrp/packet.h"

namespace vigil::vrrp {

using Duration = base::Duration;
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;

enum class State : uint8_t { kInitialize, kBackup, kMaster, kFault };
// keepalived's names: INIT, BACKUP, MASTER, FAULT.
std::string_view StateName(State s);

// RFC 5798's timers (keepalived adds the preempt delay).
enum class Timer : uint8_t { kAdver, kMasterDown, kPreemptDelay };
std::string_view TimerName(Timer t);

// What the router needs to run, derived from the configuration and the interface.
struct RouterConfig {
  std::string name;
  uint8_t vrid = 1;
  uint8_t version = 3;
  uint8_t priority = 100;  // base priority (255 = address owner)
  Duration advertisement_interval = std::chrono::seconds(1);
  bool preempt = true;  // RFC Preempt_Mode (keepalived nopreempt)
  Duration preempt_delay{0};
  bool lower_prio_no_advert = false;     // keepalived: do not answer lower priority
  bool higher_prio_send_advert = false;  // keepalived: advert before yielding to a higher one
  // vrrp_strict / strict_mode in effect: From() has reset what strict mode forbids
  // (authentication, preempt_delay); the daemon applies the rest (no_accept, no
  // vmac_xmit_base, no accept with VRRPv2).
  bool strict = false;
  // keepalived's skip_check_adv_addr: the address list of an advert from the same source as
  // the last accepted one is not compared again.
  bool skip_check_adv_addr = false;
  bool check_ttl = true;  // multicast: TTL/hop limit must be 255
  // keepalived's unicast_peer min_ttl/max_ttl: adverts from that peer outside the range are
  // dropped (ip_ttl_err).
  struct PeerTtl {
    base::IpAddress peer;
    int min_ttl = 0, max_ttl = 255;
  };
  std::vector<PeerTtl> peer_ttl;
  // Gratuitous ARP / NA bursts: on becoming Master, and when a Master hears a lower priority
  // (a healed split brain: the hosts may have learnt the other Master's MAC).
  int garp_master_repeat = 5;
  Duration garp_master_delay = std::chrono::seconds(5);
  int garp_lower_prio_repeat = 5;
  Duration garp_lower_prio_delay = std::chrono::seconds(5);
  base::IpAddress primary_address;  // ours: source of adverts and tie-break
  std::vector<base::IpAddress> vips;
  AuthType auth_type = AuthType::kNone;  // VRRPv2 only
  AuthKey auth_data{};                   // PASS: the password sent; AH: the HMAC key

  // From a configured instance and the global settings it inherits (vrrp_garp_*,
  // vrrp_lower_prio_no_advert, ...); `primary` is the address adverts are sent from.
  static RouterConfig From(const model::VrrpInstanceConf& conf, const model::GlobalDefs& global,
                           const base::IpAddress& primary);
};

// keepalived's per-instance counters (its names; see CONFORMANCE-AND-FAULTS.md and the JSON
// format), plus the drops keepalived does not count separately.
struct Stats {
  uint64_t advert_rcvd = 0, advert_sent = 0, become_master = 0, release_master = 0;
  uint64_t packet_len_err = 0, ip_ttl_err = 0, invalid_type_rcvd = 0, advert_interval_err = 0;
  uint64_t addr_list_err = 0, invalid_authtype = 0, authtype_mismatch = 0, auth_failure = 0;
  uint64_t pri_zero_rcvd = 0, pri_zero_sent = 0;
  uint64_t version_err = 0, vrid_err = 0;
  uint64_t ah_replay = 0;  // AH sequence number not above the highest seen (also auth_failure)
  bool operator==(const Stats&) const = default;
};

// ---- inputs ----
struct Startup {
  // The addresses are still in place from this router's previous run (a restarted process):
  // become Master at once instead of waiting as Backup (its adverts settle who is Master).
  bool resume_master = false;
};
struct Shutdown {};
struct AdvertReceived {
  Advertisement advert;
  RxMeta meta;
  // Set when the datagram carried an AH header whose ICV and SPI verified (vrrp/ah.h): its
  // sequence number. Unset for a datagram without AH.
  std::optional<uint32_t> ah_sequence;
};
struct TimerFired {
  Timer timer;
};
// The instance can run (its interface is up and nothing it tracks faults it) or not (FAULT).
struct LinkChanged {
  bool up;
  bool by_tracking = false;  // down because of a tracked object, not the interface
};
struct PriorityChanged {
  int priority;  // effective priority, 1..255
};
// keepalived's vrrp_sync_group: another member of this router's group became Master, or went
// from Master to Backup, and this one follows (a Backup becomes Master; a Master becomes
// Backup). FAULT is shared through LinkChanged: the group can run only if every member can.
struct SyncGroupMoved {
  State to;  // kMaster or kBackup
};
using Input = std::variant<Startup, Shutdown, AdvertReceived, TimerFired, LinkChanged,
                           PriorityChanged, SyncGroupMoved>;

// ---- outputs ----
struct SendAdvert {
  Advertisement advert;
  uint32_t ah_sequence = 0;  // auth_type AH: the AH sequence number to send it with
};
struct ArmTimer {
  Timer timer;
  TimePoint deadline;
};
struct CancelTimer {
  Timer timer;
};
struct InstallVips {};  // add the virtual addresses to the interface
// Gratuitous ARP / unsolicited NA for them: `repeat` of each now, and as many again
// `second_burst_after` later if that is non-zero (and we are still Master).
struct AnnounceVips {
  int repeat = 0;
  Duration second_burst_after{0};
  bool operator==(const AnnounceVips&) const = default;
};
struct RemoveVips {};
struct StateChanged {
  State from;
  State to;
  std::string_view reason;
};
// A Master heard a lower-priority advert (another Master: a split brain; keepalived's
// notify_master_rx_lower_pri).
struct LowerPriorityHeard {
  uint8_t priority;  // the other router's
};
using Output = std::variant<SendAdvert, ArmTimer, CancelTimer, InstallVips, AnnounceVips,
                            RemoveVips, StateChanged, LowerPriorityHeard>;

class Router {
 public:
  explicit Router(RouterConfig config);

  // Handles one input observed at `now` and appends, in execution order, what must happen.
  void Step(const Input& in, TimePoint now, std::vector<Output>& out);

  // Counts a message for this VRID that the codec rejected (packet_len_err, ...).
  void CountDecodeError(DecodeError e);
  // Counts an AH datagram for this VRID that did not verify (auth_failure, packet_len_err).
  void CountAhError(AhError e);

  State state() const { return state_; }
  const Stats& stats() const { return stats_; }
  const RouterConfig& config() const { return config_; }
  int priority() const { return priority_; }
  // AH: the highest sequence number sent or accepted (one counter, as keepalived keeps it,
  // so a router that takes over continues above what its peers have seen).
  uint32_t ah_sequence() const { return ah_sequence_; }
  // A reload: the counters and the AH sequence number of the router this one replaces (the
  // same instance under the previous configuration) carry over.
  void Restore(const Stats& stats, uint32_t ah_sequence) {
    stats_ = stats;
    ah_sequence_ = ah_sequence;
  }
  // RFC 5798: what a Backup learned from the Master (VRRPv3), else the configured interval.
  Duration master_adver_interval() const { return master_adver_interval_; }
  // RFC 5798 §6.1: Skew_Time and Master_Down_Interval for the current priority.
  Duration skew_time() const;
  Duration master_down_interval() const;

 private:
  enum class Event : uint8_t {
    kStartup,
    kShutdown,
    kAdvert,
    kAdverTimer,
    kMasterDownTimer,
    kPreemptTimer,
    kLinkDown,
    kLinkUp,
    kPriority,
    kSyncMaster,
    kSyncBackup,
    kCount
  };
  using Handler = void (Router::*)(const Input&, TimePoint, std::vector<Output>&);
  static const std::array<std::array<Handler, static_cast<size_t>(Event::kCount)>, 4> kTable;

  static Event EventOf(const Input& in);
  // Receive checks that need the configuration; counts and returns false to drop.
  bool Accept(const AdvertReceived& rx);

  void Transition(State to, std::string_view reason, TimePoint now, std::vector<Output>& out);
  void SendAdvertisement(int priority, std::vector<Output>& out);
  void ArmAdverTimer(TimePoint now, std::vector<Output>& out);
  void ArmMasterDownTimer(Duration in, TimePoint now, std::vector<Output>& out);

  // Table entries.
  void Ignore(const Input&, TimePoint, std::vector<Output>&) {}
  void InitStartup(const Input&, TimePoint now, std::vector<Output>& out);
  void BackupShutdown(const Input&, TimePoint now, std::vector<Output>& out);
  void MasterShutdown(const Input&, TimePoint now, std::vector<Output>& out);
  void FaultShutdown(const Input&, TimePoint now, std::vector<Output>& out);
  void BackupAdvert(const Input&, TimePoint now, std::vector<Output>& out);
  void MasterAdvert(const Input&, TimePoint now, std::vector<Output>& out);
  void BackupMasterDown(const Input&, TimePoint now, std::vector<Output>& out);
  void BackupPreempt(const Input&, TimePoint now, std::vector<Output>& out);
  void MasterAdverTimer(const Input&, TimePoint now, std::vector<Output>& out);
  void ToFault(const Input&, TimePoint now, std::vector<Output>& out);
  void FaultLinkUp(const Input&, TimePoint now, std::vector<Output>& out);
  void SetPriority(const Input&, TimePoint now, std::vector<Output>& out);
  void SyncToMaster(const Input&, TimePoint now, std::vector<Output>& out);
  void SyncToBackup(const Input&, TimePoint now, std::vector<Output>& out);

  RouterConfig config_;
  State state_ = State::kInitialize;
  int priority_;
  Duration master_adver_interval_;
  bool preempt_pending_ = false;  // a lower-priority master is tolerated until the delay ends
  uint32_t ah_sequence_ = 0;
  std::optional<base::IpAddress> last_source_;  // of the last accepted advert
  Stats stats_;
};

}  // namespace vigil::vrrp
