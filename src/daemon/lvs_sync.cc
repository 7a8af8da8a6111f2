#include "daemon/lvs_sync.h"

#include <spdlog/spdlog.h>

#include "os/linux/ipvs.h"

namespace vigil::daemon {
namespace {

bool ToInt(const std::string& s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  int v = std::stoi(s);
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

class Follower : public LvsSyncFollower {
 public:
  Follower(os::Ipvs ipvs, LvsSyncConf conf) : ipvs_(std::move(ipvs)), conf_(std::move(conf)) {}
  ~Follower() override { Run(0); }

  void InstanceState(const std::string& state) override {
    Run(state == "MASTER" ? IP_VS_STATE_MASTER : state == "STOP" ? 0 : IP_VS_STATE_BACKUP);
  }
  std::string running() const override {
    return running_ == IP_VS_STATE_MASTER   ? "master"
           : running_ == IP_VS_STATE_BACKUP ? "backup"
                                            : "";
  }

 private:
  // Makes `state` (0: none) the one daemon that runs.
  void Run(int state) {
    if (state == running_) return;
    std::string err;
    if (running_ && !ipvs_.StopSyncDaemon(running_, &err)) {
      spdlog::warn("IPVS: lvs_sync_daemon: {}", err);
    }
    running_ = 0;
    if (!state) return;
    const auto& o = conf_.daemon;
    os::IpvsSyncDaemon d = ToKernel(o, state);
    ipvs_.StopSyncDaemon(state, &err);  // one left by an earlier run (kill -9) is replaced
    const char* which = state == IP_VS_STATE_MASTER ? "master" : "backup";
    if (!ipvs_.StartSyncDaemon(d, &err)) {
      spdlog::error("IPVS: lvs_sync_daemon: cannot start the {} sync daemon: {}", which, err);
      return;
    }
    running_ = state;
    spdlog::info("IPVS: {} sync daemon on {} (syncid {}) for VRRP instance {}", which, o.interface,
                 o.syncid, conf_.instance);
  }

  os::Ipvs ipvs_;
  LvsSyncConf conf_;
  int running_ = 0;
};

}  // namespace

os::IpvsSyncDaemon ToKernel(const IpvsOptions::SyncDaemon& o, int state) {
  os::IpvsSyncDaemon d;
  d.state = state;
  d.mcast_ifn = o.interface;
  d.syncid = o.syncid;
  if (o.maxlen) d.maxlen = static_cast<uint16_t>(*o.maxlen);
  if (o.port) d.mcast_port = static_cast<uint16_t>(*o.port);
  if (o.ttl) d.mcast_ttl = static_cast<uint8_t>(*o.ttl);
  d.mcast_group = o.group;
  return d;
}

std::optional<LvsSyncConf> ParseLvsSyncDaemon(const model::Config& config) {
  const auto* e = model::FindExtra(config.global.extra, "lvs_sync_daemon");
  if (!e) return std::nullopt;
  if (e->size() < 2) {
    spdlog::warn("lvs_sync_daemon needs an interface; no sync daemon is started");
    return std::nullopt;
  }
  LvsSyncConf c;
  auto& d = c.daemon;
  d.interface = (*e)[1];
  for (size_t i = 2; i < e->size(); ++i) {
    const std::string& w = (*e)[i];
    bool has_value = i + 1 < e->size();
    int v = 0;
    if (w == "inst" && has_value) {
      c.instance = (*e)[++i];
    } else if (w == "id" && has_value && ToInt((*e)[i + 1], 0, 255, &v)) {
      d.syncid = v, ++i;
    } else if (w == "maxlen" && has_value && ToInt((*e)[i + 1], 1, 65507, &v)) {
      d.maxlen = v, ++i;
    } else if (w == "port" && has_value && ToInt((*e)[i + 1], 1, 65535, &v)) {
      d.port = v, ++i;
    } else if (w == "ttl" && has_value && ToInt((*e)[i + 1], 1, 255, &v)) {
      d.ttl = v, ++i;
    } else if (w == "group" && has_value && base::IpAddress::Parse((*e)[i + 1])) {
      d.group = base::IpAddress::Parse((*e)[++i]);
    } else if (i == 2) {
      c.instance = w;  // "inst" may be omitted
    } else {
      spdlog::warn("lvs_sync_daemon: '{}' is not understood; no sync daemon is started", w);
      return std::nullopt;
    }
  }
  return c;
}

std::unique_ptr<LvsSyncFollower> MakeLvsSyncFollower(const LvsSyncConf& conf, std::string* error) {
  auto ipvs = os::Ipvs::Open(error);
  if (!ipvs) return nullptr;
  return std::make_unique<Follower>(std::move(*ipvs), conf);
}

}  // namespace vigil::daemon
