// SMTP_CHECK: connect over TCP (port 25 when none is configured), then check::smtp's
// dialogue (banner 220, HELO -> 250, QUIT), all within connect_timeout. Failures: the
// connect's ("connect-timeout", "connect-refused", ...), the dialogue's
// ("smtp-banner-4xx", "smtp-helo-5xx", ...), the reader's ("smtp-bad-reply",
// "smtp-line-too-long", "smtp-too-long"), and I/O named after the reply awaited
// ("smtp-banner-timeout" for a slow banner, "smtp-helo-closed", "smtp-quit-reset", ...).
//
// `host` sub-blocks: keepalived 2.2 turns each into a checker of its own, and the checker's
// own target is kept only if the SMTP_CHECK block sets a connection option itself
// (connect_ip, connect_port, bindto, bind_port, bind_if, fwmark, connect_timeout). A real
// server is up when all its checkers are, so Vigil checks every such target in parallel, each
// with its own connect_timeout, and the check passes when every one passes; a failure names
// the first failing target (in configuration order) in its detail. Unlike keepalived, the
// hosts share one retry count (the checker's).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "check/smtp.h"
#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
namespace smtp = check::smtp;

constexpr int kDefaultPort = 25;

class SmtpSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "connect-timeout";
  SmtpSession(asio::io_context& io, const ProbeTarget& t, const std::string& helo)
      : ProbeSession(io), target_(t), dialogue_(helo), sock_(io) {}

 private:
  void Begin() override {
    std::string detail;
    if (!probe_net::Prepare(sock_, target_, &detail)) {
      return Finish(ProbeResult::Fail("bind-failed", detail));
    }
    sock_.async_connect(
        probe_net::Endpoint<tcp>(target_),
        [self = shared_from_this(), this](const boost::system::error_code& ec) {
          if (finished()) return;
          if (ec)
            return Finish(ProbeResult::Fail(probe_net::ErrorFailure(ec, "connect"), ec.message()));
          SetPhaseTimeout();
          Read();
        });
  }

  void SetPhaseTimeout() {
    timeout_failure_ = std::string(smtp::PhaseName(dialogue_.phase())) + "-timeout";
  }

  void Read() {
    sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this(), this](
                                                  const boost::system::error_code& ec, size_t n) {
      if (finished()) return;
      if (ec) {
        return Finish(ProbeResult::Fail(
            probe_net::ErrorFailure(ec, smtp::PhaseName(dialogue_.phase())), ec.message()));
      }
      Handle(reader_.Feed(std::string_view(buf_.data(), n)));
    });
  }

  void Handle(smtp::ReplyReader::Status status) {
    using Status = smtp::ReplyReader::Status;
    if (status == Status::kMore) return Read();
    if (status == Status::kError) {
      return Finish(ProbeResult::Fail(reader_.failure(), reader_.detail()));
    }
    smtp::Dialogue::Step step = dialogue_.OnReply(reader_.Take());
    if (step.kind == smtp::Dialogue::Step::kPass) return Finish(ProbeResult::Ok());
    if (step.kind == smtp::Dialogue::Step::kFail) {
      return Finish(ProbeResult::Fail(step.failure, step.detail));
    }
    SetPhaseTimeout();
    out_ = std::move(step.bytes);
    asio::async_write(
        sock_, asio::buffer(out_),
        [self = shared_from_this(), this](const boost::system::error_code& ec, size_t) {
          if (finished()) return;
          if (ec) {
            return Finish(ProbeResult::Fail(
                probe_net::ErrorFailure(ec, smtp::PhaseName(dialogue_.phase())), ec.message()));
          }
          Handle(reader_.Feed({}));  // a reply may already be buffered
        });
  }

  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  smtp::Dialogue dialogue_;
  smtp::ReplyReader reader_;
  tcp::socket sock_;
  std::array<char, 2048> buf_{};
  std::string out_;
};

// Every target of one SMTP_CHECK, checked in parallel; `done` once all have reported.
class SmtpProbe : public Probe {
 public:
  SmtpProbe(asio::io_context& io, std::vector<ProbeTarget> targets, std::string helo)
      : io_(io), targets_(std::move(targets)), helo_(std::move(helo)) {}
  ~SmtpProbe() override { Abandon(); }

  void Start(std::function<void(ProbeResult)> done) override {
    Abandon();
    done_ = std::move(done);
    results_.assign(targets_.size(), ProbeResult{});
    pending_ = targets_.size();
    for (size_t i = 0; i < targets_.size(); ++i) {
      auto s = std::make_shared<SmtpSession>(io_, targets_[i], helo_);
      sessions_.push_back(s);
      s->Run(targets_[i].timeout, SmtpSession::kTimeoutFailure,
             [this, i](ProbeResult r) { OnHost(i, std::move(r)); });
    }
  }

 private:
  void Abandon() {
    for (auto& s : sessions_) s->Abandon();
    sessions_.clear();
  }

  // Runs from a session's report (which keeps that session alive while it runs).
  void OnHost(size_t i, ProbeResult r) {
    results_[i] = std::move(r);
    if (--pending_ > 0) return;
    sessions_.clear();
    ProbeResult out = ProbeResult::Ok();
    for (size_t k = 0; k < results_.size(); ++k) {
      if (results_[k].ok) continue;
      out = std::move(results_[k]);
      if (targets_.size() > 1) {
        const auto& t = targets_[k];
        out.detail = t.address.ToString() + " port " + std::to_string(t.port) + ": " + out.detail;
      }
      break;
    }
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(out));  // last: `done` may destroy this probe
  }

  asio::io_context& io_;
  std::vector<ProbeTarget> targets_;
  std::string helo_;
  std::function<void(ProbeResult)> done_;
  std::vector<ProbeResult> results_;
  size_t pending_ = 0;
  std::vector<std::shared_ptr<SmtpSession>> sessions_;
};

bool HasConnectionOption(const model::CheckCommon& c) {
  return c.connect_ip || c.connect_port || c.bindto || c.bind_port || !c.bind_if.empty() ||
         c.fwmark || c.connect_timeout;
}

ProbeTarget HostTarget(ProbeTarget t, const model::CheckCommon& h) {
  if (h.connect_ip) t.address = *h.connect_ip;
  if (h.connect_port) t.port = *h.connect_port;
  if (h.bindto) t.bindto = h.bindto;
  if (h.bind_port) t.bind_port = h.bind_port;
  if (!h.bind_if.empty()) t.bind_if = h.bind_if;
  if (h.fwmark) t.fwmark = h.fwmark;
  if (h.connect_timeout) t.timeout = *h.connect_timeout;
  return t;
}

}  // namespace

std::unique_ptr<Probe> MakeSmtpProbe(asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error) {
  const auto& d = spec.checker->details.get();
  if (!smtp::ValidHeloName(d.helo_name)) {
    *error = "SMTP_CHECK helo_name holds a line break";
    return nullptr;
  }
  std::vector<ProbeTarget> targets;
  if (d.smtp_hosts.empty() || HasConnectionOption(spec.checker->common)) {
    targets.push_back(spec.target);
  }
  for (const auto& h : d.smtp_hosts) targets.push_back(HostTarget(spec.target, h));
  for (auto& t : targets) {
    if (t.port == 0) t.port = kDefaultPort;
  }
  return std::make_unique<SmtpProbe>(io, std::move(targets), d.helo_name);
}

}  // namespace vigil::daemon
