// keepalived's SMTP alerts (global notification_email, notification_email_from, smtp_server,
// smtp_helo_name, smtp_connect_timeout; smtp_alert / smtp_alert_vrrp / an instance's
// smtp_alert): one mail per VRRP state change of an instance that has alerts on, sent without
// ever blocking the event loop. Mails are queued and sent one session at a time; a session
// that does not finish within smtp_connect_timeout per step is abandoned (logged, counted).
// Boost.Asio stays inside.
#pragma once

#include <cstdint>
#include <memory>
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

  uint64_t sent() const;
  uint64_t failed() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
