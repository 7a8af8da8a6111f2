#include "model/config.h"

namespace vigil::model {

const char* CheckerKeyword(CheckerKind k) {
  switch (k) {
    case CheckerKind::kTcp:
      return "TCP_CHECK";
    case CheckerKind::kHttp:
      return "HTTP_GET";
    case CheckerKind::kSsl:
      return "SSL_GET";
    case CheckerKind::kSmtp:
      return "SMTP_CHECK";
    case CheckerKind::kDns:
      return "DNS_CHECK";
    case CheckerKind::kMisc:
      return "MISC_CHECK";
    case CheckerKind::kUdp:
      return "UDP_CHECK";
    case CheckerKind::kPing:
      return "PING_CHECK";
    case CheckerKind::kFile:
      return "FILE_CHECK";
    case CheckerKind::kBfd:
      return "BFD_CHECK";
  }
  return "?";
}

bool Config::HasScripts() const {
  if (!vrrp_scripts.empty() || global.startup_script || global.shutdown_script ||
      global.notify_fifo_script || global.vrrp_notify_fifo_script ||
      global.lvs_notify_fifo_script) {
    return true;
  }
  auto has_notify = [](const NotifyScripts& n) {
    return n.master || n.backup || n.fault || n.stop || n.deleted || n.generic ||
           n.master_rx_lower_pri;
  };
  for (const auto& i : vrrp_instances) {
    if (has_notify(i.notify.get())) return true;
  }
  for (const auto& g : sync_groups) {
    if (has_notify(g.notify.get())) return true;
  }
  for (const auto& vs : virtual_servers) {
    if (vs.quorum_up || vs.quorum_down) return true;
    for (const auto& rs : vs.real_servers) {
      if (rs.notify_up || rs.notify_down) return true;
      for (const auto& c : rs.checkers) {
        if (c.details->misc_path) return true;
      }
    }
  }
  return false;
}

const std::vector<std::string>* FindExtra(const ExtraOptions& extra, std::string_view keyword) {
  const std::vector<std::string>* found = nullptr;
  for (const auto& words : extra) {
    if (!words.empty() && words[0] == keyword) found = &words;
  }
  return found;
}

bool ExtraFlag(const ExtraOptions& extra, std::string_view keyword) {
  const auto* w = FindExtra(extra, keyword);
  if (!w) return false;
  return w->size() < 2 || (*w)[1] == "true" || (*w)[1] == "on" || (*w)[1] == "yes";
}

const SyncGroupConf* SyncGroupOf(const Config& config, const std::string& name) {
  for (const auto& g : config.sync_groups) {
    for (const auto& m : g.members) {
      if (m == name) return &g;
    }
  }
  return nullptr;
}

}  // namespace vigil::model
