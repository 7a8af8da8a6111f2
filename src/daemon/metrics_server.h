// The Prometheus endpoint: an HTTP/1.1 listener on TCP that answers GET /metrics with the
// body a Collect callback produces (control::RenderMetrics of the status document) as
// "text/plain; version=0.0.4; charset=utf-8".
//
// Any other path gives 404, another method on /metrics 405. A connection may carry several
// requests (keep-alive) but lives at most 10 s in all; a request's header is at most 8 KiB
// (431 and the connection is closed), a malformed request gets 400 and is closed. At most 64
// connections are served at once; one accepted beyond that is closed at once.
//
// Single-threaded: everything runs on the io_context given, which must outlive the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class MetricsServer {
 public:
  // Asked for one scrape's body; calls its argument with it, at once or later from another
  // handler of the event loop. A connection closed meanwhile (timeout, Stop) drops the body.
  using Collect = std::function<void(std::function<void(std::string body)>)>;

  // `listen` is "ADDR:PORT" with an IPv4 address, or "[ADDR]:PORT" with an IPv6 one; port 0
  // asks the kernel for a free port (see port()).
  MetricsServer(boost::asio::io_context& io, std::string listen, Collect collect);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and listens. False with `*error` set ("metrics listen ADDR:PORT: reason") when the
  // address does not parse or cannot be bound.
  bool Start(std::string* error);
  // Closes the listener and every connection. Idempotent; Start may be called again.
  void Stop();

  // The port bound, 0 before Start succeeded or after Stop.
  uint16_t port() const;

  // Replaces the 10 s a connection may live, for tests; takes effect for later connections.
  void SetConnectionTimeoutForTest(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
