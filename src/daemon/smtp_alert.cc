#include "daemon/smtp_alert.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <istream>
#include <sstream>

namespace vigil::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

constexpr auto kDefaultConnectTimeout = std::chrono::seconds(30);  // keepalived's default
constexpr size_t kQueueLimit = 256;   // mails waiting beyond this are dropped (counted)
constexpr size_t kReplyLimit = 4096;  // a server reply longer than this ends the session

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

struct Mail {
  std::string subject, body;
};

}  // namespace

struct SmtpAlerter::Impl : std::enable_shared_from_this<Impl> {
  asio::io_context& io;
  const model::GlobalDefs& global;
  std::string host, port = "25", helo, from, router_id;
  std::chrono::steady_clock::duration timeout;
  std::deque<Mail> queue;
  bool busy = false;
  uint64_t sent = 0, failed = 0, dropped = 0;

  Impl(asio::io_context& i, const model::GlobalDefs& g) : io(i), global(g) {
    std::istringstream in(g.smtp_server);
    in >> host >> port;
    if (port.empty()) port = "25";
    std::string name = HostName();
    helo = g.smtp_helo_name.empty() ? name : g.smtp_helo_name;
    from = g.notification_email_from.empty() ? "keepalived@" + name : g.notification_email_from;
    router_id = g.router_id.empty() ? name : g.router_id;
    timeout = g.smtp_connect_timeout
                  ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        *g.smtp_connect_timeout)
                  : kDefaultConnectTimeout;
  }

  void Enqueue(Mail m) {
    if (queue.size() >= kQueueLimit) {
      ++dropped;
      ++failed;
      spdlog::warn("SMTP alert queue full ({} mails); dropped: {}", queue.size(), m.subject);
      return;
    }
    queue.push_back(std::move(m));
    if (!busy) Next();
  }

  void Next() {
    if (queue.empty()) {
      busy = false;
      return;
    }
    busy = true;
    Mail m = std::move(queue.front());
    queue.pop_front();
    auto self = shared_from_this();
    asio::co_spawn(io, Session(std::move(m)), [self](std::exception_ptr) { self->Next(); });
  }

  // One SMTP dialogue (RFC 5321): greeting, HELO, MAIL FROM, RCPT TO for each recipient,
  // DATA, the message, QUIT. Each step must finish within the timeout.
  awaitable<void> Session(Mail m) {
    tcp::socket sock(io);
    asio::steady_timer deadline(io);
    auto arm = [&] {
      deadline.expires_after(timeout);
      deadline.async_wait([&sock](const boost::system::error_code& ec) {
        if (!ec) sock.close();
      });
    };
    asio::streambuf buf(kReplyLimit);
    std::string step = "connect";
    auto expect = [&](const char* what, char code) -> awaitable<bool> {
      step = what;
      arm();
      // A reply may span lines ("250-..." then "250 ..."): read until the last one.
      while (true) {
        co_await asio::async_read_until(sock, buf, "\r\n", use_awaitable);
        std::istream in(&buf);
        std::string line;
        std::getline(in, line);
        if (line.size() < 4 || line[0] != code) {
          spdlog::warn("SMTP alert to {}: {} refused: {}", host, what, line);
          co_return false;
        }
        if (line[3] != '-') co_return true;
      }
    };
    auto send = [&](const std::string& s) -> awaitable<void> {
      arm();
      co_await asio::async_write(sock, asio::buffer(s), use_awaitable);
    };
    try {
      tcp::resolver resolver(io);
      arm();
      auto endpoints = co_await resolver.async_resolve(host, port, use_awaitable);
      co_await asio::async_connect(sock, endpoints, use_awaitable);
      bool ok = co_await expect("greeting", '2');
      if (ok) {
        co_await send("HELO " + helo + "\r\n");
        ok = co_await expect("HELO", '2');
      }
      if (ok) {
        co_await send("MAIL FROM:<" + from + ">\r\n");
        ok = co_await expect("MAIL FROM", '2');
      }
      for (const auto& to : global.notification_email) {
        if (!ok) break;
        co_await send("RCPT TO:<" + to + ">\r\n");
        ok = co_await expect("RCPT TO", '2');
      }
      if (ok) {
        co_await send("DATA\r\n");
        ok = co_await expect("DATA", '3');
      }
      if (ok) {
        std::string to_header;
        for (const auto& to : global.notification_email) {
          to_header += (to_header.empty() ? "" : ", ") + ("<" + to + ">");
        }
        std::string msg = "From: " + from + "\r\nTo: " + to_header + "\r\nSubject: " + m.subject +
                          "\r\nX-Mailer: Vigil\r\n\r\n" + m.body + "\r\n.\r\n";
        co_await send(msg);
        ok = co_await expect("message", '2');
      }
      if (ok) {
        co_await send("QUIT\r\n");
        ++sent;
        spdlog::info("SMTP alert successfully sent: {}", m.subject);
      } else {
        ++failed;
      }
    } catch (const boost::system::system_error& e) {
      ++failed;
      spdlog::warn("SMTP alert to {}:{} failed at {}: {}", host, port, step, e.code().message());
    } catch (const std::exception& e) {
      ++failed;
      spdlog::warn("SMTP alert to {}:{} failed at {}: {}", host, port, step, e.what());
    }
    deadline.cancel();
    boost::system::error_code ignored;
    sock.close(ignored);
  }
};

SmtpAlerter::SmtpAlerter(asio::io_context& io, const model::GlobalDefs& global)
    : impl_(std::make_shared<Impl>(io, global)) {}
SmtpAlerter::~SmtpAlerter() = default;

bool SmtpAlerter::Enabled(const model::VrrpInstanceConf& conf) const {
  const auto& g = impl_->global;
  if (impl_->host.empty() || g.notification_email.empty()) return false;
  return conf.tuning->smtp_alert.value_or(g.smtp_alert_vrrp.value_or(g.smtp_alert.value_or(false)));
}

void SmtpAlerter::InstanceState(const model::VrrpInstanceConf& conf, const std::string& state) {
  if (!Enabled(conf)) return;
  std::string body = state == "MASTER"   ? "=> VRRP Instance is now owning VRRP VIPs <="
                     : state == "BACKUP" ? "=> VRRP Instance is no longer owning VRRP VIPs <="
                     : state == "FAULT"  ? "=> VRRP Instance is now in FAULT state <="
                                         : "=> VRRP Instance stopped <=";
  impl_->Enqueue(
      {"[" + impl_->router_id + "] VRRP Instance " + conf.name + " - Entering " + state + " state",
       body});
}

bool SmtpAlerter::CheckerEnabled(std::optional<bool> own) const {
  const auto& g = impl_->global;
  if (impl_->host.empty() || g.notification_email.empty()) return false;
  return own.value_or(g.smtp_alert_checker.value_or(g.smtp_alert.value_or(false)));
}

void SmtpAlerter::RealServerState(const std::string& rs, const std::string& vs, bool up,
                                  const std::string& body) {
  impl_->Enqueue({"[" + impl_->router_id + "] Realserver " + rs + " of virtual server " + vs +
                      (up ? " - UP" : " - DOWN"),
                  body});
}

void SmtpAlerter::VirtualServerState(const std::string& vs, bool up, const std::string& body) {
  impl_->Enqueue(
      {"[" + impl_->router_id + "] Virtualserver " + vs + (up ? " - UP" : " - DOWN"), body});
}

uint64_t SmtpAlerter::sent() const { return impl_->sent; }
uint64_t SmtpAlerter::failed() const { return impl_->failed; }

}  // namespace vigil::daemon
