// keepalived's SMTP alerts (global notification_email, notification_email_from, smtp_server,
// smtp_helo_name, smtp_connect_timeout; smtp_alert / smtp_alert_vrrp / an instance's
// smtp_alert): one mail per VRRP state change of an instance that has alerts on, sent without
// ever blocking the event loop. Mails are queued and sent one session at a time; a session
// that does not finish within smtp_connect_timeout per step is abandoned (logged, counted).
// Boost.Asio stays inside.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "model/config.h"

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class SmtpAlerter {
 public:
  SmtpAlerter(boost::asio::io_context& io, const model::GlobalDefs& global);
  ~SmtpAlerter();

  // Whether `conf`'s state changes are mailed (keepalived's order: the instance's
  // smtp_alert, else smtp_alert_vrrp, else smtp_alert; and a server and a recipient exist).
  bool Enabled(const model::VrrpInstanceConf& conf) const;
  // keepalived's subject and body for `conf` entering `state` (MASTER, BACKUP, FAULT, STOP).
  void InstanceState(const model::VrrpInstanceConf& conf, const std::string& state);

  // Checker-side alerts: whether a real or virtual server's changes are mailed (its own
  // smtp_alert, else smtp_alert_checker, else smtp_alert; and a server and a recipient exist).
  bool CheckerEnabled(std::optional<bool> own) const;
  // keepalived's "[ROUTER_ID] Realserver [RS]:tcp:80 of virtual server [VS]:tcp:80 - UP" with
  // `body` ("=> TCP CHECK succeed on service <=", ...).
  void RealServerState(const std::string& rs, const std::string& vs, bool up,
                       const std::string& body);
  // keepalived's "[ROUTER_ID] Virtualserver [VS]:tcp:80 - DOWN" (quorum) with `body`.
  void VirtualServerState(const std::string& vs, bool up, const std::string& body);

  uint64_t sent() const;
  uint64_t failed() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
