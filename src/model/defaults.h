// Every default value of the configuration model, in one place, with the keepalived rule it
// follows. The model's member initialisers and the config lowering refer only to these.
#pragma once

#include <chrono>
#include <cstdint>

namespace vigil::model::defaults {

using std::chrono::microseconds;
using std::chrono::seconds;

// vrrp_instance
inline constexpr int kPriority = 100;                   // keepalived.conf(5): priority default 100
inline constexpr int kOwnerPriority = 255;              // RFC 5798 §5.2.4 address owner
inline constexpr int kVrrpVersion = 2;                  // global vrrp_version default
inline constexpr microseconds kAdvertInt = seconds(1);  // advert_int default 1 s
inline constexpr int kGarpMasterRepeat = 5;             // garp_master_repeat default 5
// keepalived's higher_prio_send_advert defaults to off. Vigil's default is on: a Master that
// yields to a higher priority advertises once first, so that after a split brain heals the
// winner learns there were two Masters and re-announces the VIPs (otherwise hosts that
// followed the loser's gratuitous ARP keep sending to it until their ARP entry expires).
inline constexpr bool kHigherPrioSendAdvert = true;
inline constexpr microseconds kGarpMasterDelay = seconds(5);  // garp_master_delay default 5 s
inline constexpr int kGarpMasterRefreshRepeat = 1;
inline constexpr int kDownTimerAdverts = 3;  // RFC: Master_Down_Interval = 3 adverts
inline constexpr int kUnicastTtl = 255;
inline constexpr int kMaxAuthPassLength = 8;  // only the first 8 chars are sent (RFC 2338)

// Ranges enforced by the lowering.
inline constexpr int kMinPriority = 1;
inline constexpr int kMaxPriority = 255;
inline constexpr int kMinVrid = 1;
inline constexpr int kMaxVrid = 255;
inline constexpr int kMaxTrackWeight = 253;                    // track_interface/script/bfd weight
inline constexpr int kMaxTrackFileWeight = 254;                // track_file/track_process weight
inline constexpr microseconds kMaxAdvertIntV2 = seconds(255);  // 8-bit seconds field
inline constexpr microseconds kMaxAdvertIntV3 = microseconds(40'950'000);  // 12-bit centisecs

// global_defs
inline constexpr microseconds kSmtpConnectTimeout = seconds(30);
inline constexpr int kJsonVersion = 1;
inline constexpr microseconds kStartupScriptTimeout = seconds(10);

// vrrp_script
inline constexpr microseconds kScriptInterval = seconds(1);
inline constexpr int kScriptRise = 1;
inline constexpr int kScriptFall = 1;

// track_file: the file's value is multiplied by this weight
inline constexpr int kTrackFileWeight = 1;

// vrrp_track_process
inline constexpr int kProcessQuorum = 1;

// virtual_server / real_server / checkers (inherited checker -> real_server -> virtual_server)
inline constexpr microseconds kDelayLoop = seconds(60);
inline constexpr microseconds kConnectTimeout = seconds(5);
inline constexpr microseconds kDelayBeforeRetry = seconds(1);
inline constexpr int kRetry = 1;
inline constexpr microseconds kPersistenceTimeout = seconds(360);  // when given without a value
inline constexpr int kRealServerWeight = 1;
inline constexpr int kQuorum = 1;
inline constexpr int kHttpStatusMin = 200;  // status_code default range 200-299
inline constexpr int kHttpStatusMax = 299;
inline constexpr microseconds kMiscTimeout = seconds(0);  // 0: use delay_loop
// A virtual_server without lb_algo / lb_kind / protocol gets these, each with keepalived's
// warning (its -t exits 5). keepalived defaults an address virtual server to UDP.
inline constexpr const char* kScheduler = "wlc";
inline constexpr const char* kForwarding = "NAT";
inline constexpr const char* kProtocol = "UDP";

// bfd_instance (RFC 5880 / keepalived defaults)
inline constexpr int kBfdMinRxMs = 10;
inline constexpr int kBfdMinTxMs = 10;
inline constexpr int kBfdIdleTxMs = 1000;
inline constexpr int kBfdMultiplier = 5;

}  // namespace vigil::model::defaults
