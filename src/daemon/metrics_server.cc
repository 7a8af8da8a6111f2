#include "daemon/metrics_server.h"

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil::daemon {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

constexpr size_t kMaxConnections = 64;
constexpr uint32_t kHeaderLimit = 8 * 1024;
// A GET has no body; a small one is read (and answered 405) so the connection can go on.
constexpr uint64_t kBodyLimit = 1024;
constexpr size_t kBufferLimit = 16 * 1024;
constexpr std::chrono::milliseconds kConnectionTimeout = std::chrono::seconds(10);
// After a failed accept (EMFILE, ENFILE, ENOBUFS), before the next one: no busy loop.
constexpr std::chrono::milliseconds kAcceptRetry{100};
constexpr char kMetricsType[] = "text/plain; version=0.0.4; charset=utf-8";
constexpr char kTextType[] = "text/plain; charset=utf-8";

// "ADDR:PORT" (IPv4) or "[ADDR]:PORT" (IPv6, a scope allowed: "[fe80::1%eth0]:9165").
std::optional<tcp::endpoint> ParseListen(std::string_view listen) {
  std::string_view host;
  std::string_view port;
  bool v6 = !listen.empty() && listen.front() == '[';
  if (v6) {
    size_t close = listen.find(']');
    if (close == std::string_view::npos || listen.substr(close + 1, 1) != ":") return std::nullopt;
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    size_t colon = listen.find(':');
    if (colon == std::string_view::npos || listen.find(':', colon + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  uint16_t number = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size()) return std::nullopt;
  ErrorCode bad;
  auto address = asio::ip::make_address(std::string(host), bad);
  if (bad || address.is_v6() != v6) return std::nullopt;
  return tcp::endpoint(address, number);
}

class Session;

// What the listener and its connections share; connections keep it alive, so a handler that
// runs after the server is gone still finds it.
struct State : std::enable_shared_from_this<State> {
  asio::io_context& io;
  MetricsServer::Collect collect;
  std::chrono::milliseconds timeout = kConnectionTimeout;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> retry;
  unsigned generation = 0;  // of Start; a handler of an earlier one does nothing
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  State(asio::io_context& io, MetricsServer::Collect collect)
      : io(io), collect(std::move(collect)) {}
  void Accept();
  void Stop();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<State> state)
      : socket_(std::move(socket)), deadline_(socket_.get_executor()), state_(std::move(state)) {}
  ~Session() { state_->sessions.erase(this); }

  void Start() {
    state_->sessions.emplace(this, weak_from_this());
    // One deadline for the connection's whole life, however many requests it carries.
    deadline_.expires_after(state_->timeout);
    deadline_.async_wait([weak = weak_from_this()](const ErrorCode& ec) {
      if (auto self = weak.lock(); self && !ec) self->Close();
    });
    Read();
  }

  void Close() {
    ErrorCode ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    deadline_.cancel();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    http::async_read(
        socket_, buffer_, *parser_,
        [self = shared_from_this()](const ErrorCode& ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(const ErrorCode& ec) {
    if (!socket_.is_open()) return;  // closed by the deadline or Stop
    if (ec == http::error::header_limit) {
      return Reply(http::status::request_header_fields_too_large, "header too large\n", false);
    }
    if (ec == http::error::body_limit) {
      return Reply(http::status::payload_too_large, "body too large\n", false);
    }
    bool malformed = ec &&
                     ec.category() == http::make_error_code(http::error::bad_target).category() &&
                     ec != http::error::end_of_stream && ec != http::error::partial_message;
    if (malformed) {
      return Reply(http::status::bad_request, "bad request\n", false);
    }
    if (ec) return Close();  // the peer went away, or a socket error
    const auto& request = parser_->get();
    version_ = request.version();
    bool keep_alive = request.keep_alive();
    std::string_view target(request.target().data(), request.target().size());
    if (target.substr(0, target.find('?')) != "/metrics") {
      return Reply(http::status::not_found, "not found\n", keep_alive);
    }
    if (request.method() != http::verb::get) {
      return Reply(http::status::method_not_allowed, "only GET\n", keep_alive);
    }
    awaiting_ = true;
    state_->collect([self = shared_from_this(), keep_alive](std::string body) {
      if (!self->awaiting_ || !self->socket_.is_open()) return;
      self->awaiting_ = false;
      self->Send(http::status::ok, std::move(body), kMetricsType, keep_alive);
    });
  }

  void Reply(http::status status, std::string body, bool keep_alive) {
    Send(status, std::move(body), kTextType, keep_alive);
  }

  void Send(http::status status, std::string body, const char* type, bool keep_alive) {
    response_ = {};
    response_.result(status);
    response_.version(version_);
    response_.set(http::field::content_type, type);
    if (status == http::status::method_not_allowed) response_.set(http::field::allow, "GET");
    response_.body() = std::move(body);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    http::async_write(socket_, response_, [self = shared_from_this()](const ErrorCode& ec, size_t) {
      if (ec) return self->Close();
      if (self->response_.keep_alive()) return self->Read();
      // Half-close, then read what the client still sends until it closes: closing with
      // unread data would reset the connection and could lose the answer just written.
      ErrorCode ignored;
      self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
      self->Drain();
    });
  }

  void Drain() {
    socket_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](const ErrorCode& ec, size_t) {
                              if (ec) return self->Close();
                              self->Drain();
                            });
  }

  tcp::socket socket_;
  asio::steady_timer deadline_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_{kBufferLimit};
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  unsigned version_ = 11;
  bool awaiting_ = false;  // for the Collect callback, which answers once
  std::array<char, 1024> drain_{};
};

void State::Accept() {
  acceptor->async_accept(
      [self = shared_from_this(), gen = generation](const ErrorCode& ec, tcp::socket socket) {
        if (gen != self->generation || !self->acceptor) return;
        if (ec) {
          self->retry->expires_after(kAcceptRetry);
          self->retry->async_wait([self, gen](const ErrorCode& ec) {
            if (!ec && gen == self->generation && self->acceptor) self->Accept();
          });
          return;
        }
        if (self->sessions.size() >= kMaxConnections) {
          ErrorCode ignored;
          socket.close(ignored);
        } else {
          std::make_shared<Session>(std::move(socket), self)->Start();
        }
        self->Accept();
      });
}

void State::Stop() {
  ++generation;
  ErrorCode ignored;
  if (acceptor) acceptor->close(ignored);
  acceptor.reset();
  if (retry) retry->cancel();
  // Copied first: closing may drop the last reference to a session, which then leaves the map.
  std::vector<std::weak_ptr<Session>> open;
  for (const auto& [key, weak] : sessions) open.push_back(weak);
  for (const auto& weak : open) {
    if (auto session = weak.lock()) session->Close();
  }
}

}  // namespace

struct MetricsServer::Impl {
  std::string listen;
  std::shared_ptr<State> state;
};

MetricsServer::MetricsServer(asio::io_context& io, std::string listen, Collect collect)
    : impl_(std::make_unique<Impl>(
          Impl{std::move(listen), std::make_shared<State>(io, std::move(collect))})) {}

MetricsServer::~MetricsServer() { Stop(); }

bool MetricsServer::Start(std::string* error) {
  Stop();
  auto fail = [&](const std::string& why) {
    if (error) *error = "metrics listen " + impl_->listen + ": " + why;
    return false;
  };
  auto endpoint = ParseListen(impl_->listen);
  if (!endpoint) return fail("expected ADDR:PORT or [ADDR]:PORT");
  auto& state = *impl_->state;
  auto acceptor = std::make_unique<tcp::acceptor>(state.io);
  ErrorCode ec;
  acceptor->open(endpoint->protocol(), ec);
  if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor->bind(*endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail(ec.message());
  state.acceptor = std::move(acceptor);
  state.retry = std::make_unique<asio::steady_timer>(state.io);
  state.Accept();
  return true;
}

void MetricsServer::Stop() {
  if (impl_) impl_->state->Stop();
}

uint16_t MetricsServer::port() const {
  const auto& acceptor = impl_->state->acceptor;
  if (!acceptor) return 0;
  ErrorCode ec;
  auto endpoint = acceptor->local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void MetricsServer::SetConnectionTimeoutForTest(std::chrono::milliseconds timeout) {
  impl_->state->timeout = timeout;
}

}  // namespace vigil::daemon
