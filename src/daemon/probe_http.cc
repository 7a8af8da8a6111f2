// HTTP_GET and SSL_GET: each `url` is fetched on a new connection (TLS for SSL_GET), in
// order; the check passes when every url's answer satisfies its check::UrlMatcher. The
// answer is parsed by Beast's HTTP parser fed from our own capped reads: the body is
// streamed through MD5 when a digest is asked for, only the regex's window is kept, and a
// url whose matcher needs no body ends as soon as the status line is read. Each url has
// connect_timeout for all of it (connect, handshake, request, answer).
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <limits>

#include "check/http_verdict.h"
#include "daemon/probe.h"
#include "daemon/probe_net.h"
#include "daemon/probe_session.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

// Bytes read from one answer, headers and body, before the url fails as http-too-large.
constexpr size_t kMaxAnswerBytes = 64u << 20;

struct Url {
  std::shared_ptr<check::UrlMatcher> matcher;
  std::string request;
  std::string path;
};

struct HttpParams {
  bool tls = false;
  bool tls_compliant = false;
  std::string sni;  // empty: none
  std::vector<Url> urls;
  std::shared_ptr<asio::ssl::context> ssl;
};

// Beast's parser with callbacks that keep the status, feed the body to MD5 and keep the
// regex's window; nothing else of the answer is stored.
class AnswerParser : public http::basic_parser<false> {
 public:
  AnswerParser(const check::UrlMatcher& m) : matcher_(m) {
    header_limit(16 * 1024);
    body_limit(std::numeric_limits<std::uint64_t>::max());
    eager(true);
  }
  int status = 0;
  std::string window;
  bool cut = false;
  std::optional<check::Md5Stream> md5;

 private:
  void on_request_impl(http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       boost::beast::error_code&) override {}
  void on_response_impl(int code, boost::beast::string_view, int,
                        boost::beast::error_code&) override {
    status = code;
  }
  void on_field_impl(http::field, boost::beast::string_view, boost::beast::string_view,
                     boost::beast::error_code&) override {}
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&,
                         boost::beast::error_code&) override {
    if (matcher_.needs_digest()) md5.emplace();
  }
  std::size_t on_body_impl(boost::beast::string_view s, boost::beast::error_code&) override {
    if (md5) md5->Update(std::string_view(s.data(), s.size()));
    size_t want = matcher_.window();
    if (window.size() < want) {
      size_t take = std::min(want - window.size(), s.size());
      window.append(s.data(), take);
      if (take < s.size()) cut = true;
    } else if (!s.empty()) {
      cut = true;
    }
    return s.size();
  }
  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view,
                            boost::beast::error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view s,
                                 boost::beast::error_code& ec) override {
    return on_body_impl(s, ec);
  }
  void on_finish_impl(boost::beast::error_code&) override {}

  const check::UrlMatcher& matcher_;
};

class HttpSession : public ProbeSession {
 public:
  static constexpr const char* kTimeoutFailure = "connect-timeout";
  // Checks the urls from `first`, or only that one if `single`.
  HttpSession(asio::io_context& io, const ProbeTarget& t, std::shared_ptr<const HttpParams> p,
              size_t first = 0, bool single = false)
      : ProbeSession(io),
        target_(t),
        params_(std::move(p)),
        sock_(io),
        index_(first),
        first_(first),
        single_(single) {}

 private:
  void Begin() override { StartUrl(); }

  void StartUrl() {
    if (index_ >= params_->urls.size() || (single_ && index_ > first_)) {
      Finish(ProbeResult::Ok());
      return;
    }
    if (index_ > first_) {  // each url has the whole connect_timeout
      deadline_.expires_after(target_.timeout);
      deadline_.async_wait([self = shared_from_this(), this](const boost::system::error_code& ec) {
        if (!ec && !finished()) OnDeadline();
      });
    }
    timeout_failure_ = "connect-timeout";
    tls_.reset();
    boost::system::error_code ignored;
    sock_.close(ignored);
    std::string detail;
    if (!probe_net::Prepare(sock_, target_, &detail)) {
      Finish(ProbeResult::Fail("bind-failed", detail));
      return;
    }
    parser_.emplace(*params_->urls[index_].matcher);
    received_ = 0;
    sock_.async_connect(probe_net::Endpoint<tcp>(target_),
                        [self = shared_from_this(), this](const boost::system::error_code& ec) {
                          if (finished()) return;
                          if (ec) return Fail(probe_net::ErrorFailure(ec, "connect"), ec);
                          if (params_->tls) return Handshake();
                          SendRequest();
                        });
  }

  void Handshake() {
    timeout_failure_ = "tls-timeout";
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(sock_, *params_->ssl);
    if (!params_->sni.empty()) {
      SSL_set_tlsext_host_name(tls_->native_handle(), params_->sni.c_str());
    }
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [self = shared_from_this(), this](const boost::system::error_code& ec) {
                            if (finished()) return;
                            if (ec) return Fail("tls-handshake", ec);
                            SendRequest();
                          });
  }

  void SendRequest() {
    timeout_failure_ = "http-timeout";
    auto on_sent = [self = shared_from_this(), this](const boost::system::error_code& ec, size_t) {
      if (finished()) return;
      if (ec) return Fail(probe_net::ErrorFailure(ec, "http-send"), ec);
      Read();
    };
    const auto& req = params_->urls[index_].request;
    if (tls_) {
      asio::async_write(*tls_, asio::buffer(req), on_sent);
    } else {
      asio::async_write(sock_, asio::buffer(req), on_sent);
    }
  }

  void Read() {
    auto on_read = [self = shared_from_this(), this](const boost::system::error_code& ec,
                                                     size_t n) {
      if (finished()) return;
      OnRead(ec, n);
    };
    if (tls_) {
      tls_->async_read_some(asio::buffer(buf_), on_read);
    } else {
      sock_.async_read_some(asio::buffer(buf_), on_read);
    }
  }

  void OnRead(const boost::system::error_code& ec, size_t n) {
    auto& p = *parser_;
    if (ec) {
      bool truncated = ec == asio::ssl::error::stream_truncated;
      if (ec != asio::error::eof && !truncated) {
        return Fail(probe_net::ErrorFailure(ec, "http-read"), ec);
      }
      if (truncated && params_->tls_compliant) {
        return Fail("tls-no-close-notify", ec);
      }
      if (!p.got_some()) return Finish(ProbeResult::Fail("http-empty", "closed before answering"));
      boost::beast::error_code pec;
      p.put_eof(pec);
      if (pec) return Finish(ProbeResult::Fail("http-bad-response", pec.message()));
      return Evaluate();
    }
    received_ += n;
    size_t at = 0;
    while (at < n) {
      boost::beast::error_code pec;
      size_t used = p.put(asio::buffer(buf_.data() + at, n - at), pec);
      at += used;
      if (pec == http::error::need_more) break;
      if (pec) return Finish(ProbeResult::Fail("http-bad-response", pec.message()));
      if (p.is_done()) return Evaluate();
      if (p.is_header_done() && !params_->urls[index_].matcher->needs_body()) return Evaluate();
      if (used == 0) break;
    }
    if (p.is_header_done() && !params_->urls[index_].matcher->needs_body()) return Evaluate();
    if (received_ > kMaxAnswerBytes) {
      return Finish(ProbeResult::Fail("http-too-large",
                                      "more than " + std::to_string(kMaxAnswerBytes) + " bytes"));
    }
    Read();
  }

  void Evaluate() {
    auto& p = *parser_;
    const auto& url = params_->urls[index_];
    std::string md5;
    check::HttpResponse r;
    r.status = p.status;
    r.body = p.window;
    r.body_cut = p.cut;
    r.body_complete = p.is_done();
    if (p.md5 && r.body_complete) {
      md5 = p.md5->HexFinal();
      r.body_md5 = md5;
    } else if (url.matcher->needs_digest() && r.body_complete) {
      md5 = check::Md5Hex("");  // a body-less answer
      r.body_md5 = md5;
    }
    auto f = url.matcher->Evaluate(r);
    if (f != check::HttpFailure::kNone) {
      std::string name = std::string("http-") + check::HttpFailureName(f);
      for (auto& c : name) c = c == '_' ? '-' : c;
      return Finish(ProbeResult::Fail(name, url.path + ": status " + std::to_string(p.status) +
                                                ", " + std::to_string(p.window.size()) +
                                                " body bytes kept"));
    }
    ++index_;
    StartUrl();
  }

  void Fail(const std::string& failure, const boost::system::error_code& ec) {
    Finish(ProbeResult::Fail(failure, params_->urls[index_].path + ": " + ec.message()));
  }

  void Close() override {
    boost::system::error_code ec;
    sock_.close(ec);
  }

  ProbeTarget target_;
  std::shared_ptr<const HttpParams> params_;  // shared with the probe, not copied
  tcp::socket sock_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  std::optional<AnswerParser> parser_;
  std::array<char, 16384> buf_;
  size_t index_ = 0;
  size_t first_ = 0;
  bool single_ = false;
  size_t received_ = 0;
};

// Every url in one run; or, recovering without fast_recovery, one url per run in turn: the
// run of the last url reports success, the others a partial one, any failure starts over.
class HttpProbe : public Probe {
 public:
  HttpProbe(asio::io_context& io, ProbeTarget target, HttpParams params, bool fast_recovery)
      : io_(io),
        target_(std::move(target)),
        params_(std::make_shared<const HttpParams>(std::move(params))),
        fast_recovery_(fast_recovery) {}
  ~HttpProbe() override {
    if (session_) session_->Abandon();
  }
  void SetRecovering(bool recovering) override {
    bool stepwise = recovering && !fast_recovery_ && params_->urls.size() > 1;
    if (!stepwise) next_ = 0;
    stepwise_ = stepwise;
  }
  void Start(std::function<void(ProbeResult)> done) override {
    if (session_) session_->Abandon();
    if (!stepwise_) {
      session_ = std::make_shared<HttpSession>(io_, target_, params_);
      RunAndRelease(session_, target_.timeout, HttpSession::kTimeoutFailure, std::move(done));
      return;
    }
    session_ = std::make_shared<HttpSession>(io_, target_, params_, next_, true);
    RunAndRelease(session_, target_.timeout, HttpSession::kTimeoutFailure,
                  [this, done = std::move(done)](ProbeResult r) {
                    if (!r.ok) {
                      next_ = 0;
                    } else if (++next_ < params_->urls.size()) {
                      r.partial = true;
                    } else {
                      next_ = 0;
                    }
                    done(std::move(r));
                  });
  }

 private:
  asio::io_context& io_;
  ProbeTarget target_;
  std::shared_ptr<const HttpParams> params_;
  bool fast_recovery_;
  bool stepwise_ = false;
  size_t next_ = 0;
  std::shared_ptr<HttpSession> session_;
};

std::string HostHeader(const ProbeSpec& spec, const model::UrlConf& url, bool tls) {
  const auto& d = spec.checker->details.get();
  for (const std::string* v : std::initializer_list<const std::string*>{
           &url.virtualhost, &d.virtualhost, &spec.rs->virtualhost, &spec.vs->virtualhost}) {
    if (!v->empty()) return *v;
  }
  const auto& t = spec.target;
  std::string host = t.address.is_v4() ? t.address.ToString() : "[" + t.address.ToString() + "]";
  if (t.port != (tls ? 443 : 80)) host += ":" + std::to_string(t.port);
  return host;
}

std::string Request(const ProbeSpec& spec, const model::UrlConf& url, bool tls) {
  const std::string& proto = spec.checker->details->http_protocol;
  std::string path = url.path.empty() ? "/" : url.path;
  std::string version = proto == "1.1" ? "HTTP/1.1" : proto == "0.9" ? "" : "HTTP/1.0";
  std::string r = "GET " + path + (version.empty() ? "" : " " + version) + "\r\n";
  if (version.empty()) return r;
  r += "User-Agent: KeepAliveClient\r\nHost: " + HostHeader(spec, url, tls) + "\r\n";
  if (proto == "1.1" || proto == "1.0C") r += "Connection: close\r\n";
  return r + "\r\n";
}

std::shared_ptr<asio::ssl::context> SslContext(const model::Config& config, std::string* error) {
  auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  // keepalived checks availability, not identity: the peer's certificate is not verified
  // (docs/COMPATIBILITY.md); `ca` is loaded for servers that ask for client certificates.
  ctx->set_verify_mode(asio::ssl::verify_none);
  if (!config.ssl) return ctx;
  const auto& s = *config.ssl;
  boost::system::error_code ec;
  if (!s.password.empty()) {
    ctx->set_password_callback(
        [pw = s.password](size_t, asio::ssl::context::password_purpose) { return pw; }, ec);
  }
  if (!s.ca.empty() && (ctx->load_verify_file(s.ca, ec), ec)) {
    *error = "SSL ca " + s.ca + ": " + ec.message();
    return nullptr;
  }
  if (!s.certificate.empty() && (ctx->use_certificate_chain_file(s.certificate, ec), ec)) {
    *error = "SSL certificate " + s.certificate + ": " + ec.message();
    return nullptr;
  }
  if (!s.key.empty() && (ctx->use_private_key_file(s.key, asio::ssl::context::pem, ec), ec)) {
    *error = "SSL key " + s.key + ": " + ec.message();
    return nullptr;
  }
  return ctx;
}

}  // namespace

std::unique_ptr<Probe> MakeHttpProbe(asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error) {
  const auto& d = spec.checker->details.get();
  HttpParams p;
  p.tls = spec.checker->kind == model::CheckerKind::kSsl;
  p.tls_compliant = d.tls_compliant.value_or(false);
  if (p.tls) {
    p.ssl = SslContext(*spec.config, error);
    if (!p.ssl) return nullptr;
    if (d.enable_sni.value_or(false)) {
      p.sni = !d.sni_name.empty()             ? d.sni_name
              : !d.virtualhost.empty()        ? d.virtualhost
              : !spec.rs->virtualhost.empty() ? spec.rs->virtualhost
                                              : spec.vs->virtualhost;
    }
  }
  for (const auto& u : d.urls) {
    std::string err;
    auto m = check::UrlMatcher::Compile(u, &err);
    if (!m) {
      *error = "url " + u.path + ": " + err;
      return nullptr;
    }
    p.urls.push_back(Url{std::shared_ptr<check::UrlMatcher>(std::move(m)), Request(spec, u, p.tls),
                         u.path.empty() ? "/" : u.path});
  }
  if (p.urls.empty()) {
    *error = std::string(model::CheckerKeyword(spec.checker->kind)) + " has no url";
    return nullptr;
  }
  return std::make_unique<HttpProbe>(io, spec.target, std::move(p),
                                     d.fast_recovery.value_or(false));
}

}  // namespace vigil::daemon
