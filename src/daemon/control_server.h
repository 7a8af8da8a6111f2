// The control socket: a unix stream socket (mode 0660) where vigilctl sends one request line
// and reads one reply. Requests are at most 4 KiB; peers other than root or vigild's own user
// are refused (SO_PEERCRED). Protocol: docs/CONTROL.md.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
}

namespace vigil::daemon {

class ControlServer {
 public:
  // `handle` maps a request line (without the newline) to the reply.
  using Handler = std::function<std::string(const std::string&)>;
  // Or answers later: `reply` may be called from another handler of the event loop.
  using AsyncHandler =
      std::function<void(const std::string&, std::function<void(std::string)> reply)>;
  ControlServer(boost::asio::io_context& io, std::string path, Handler handle);
  ControlServer(boost::asio::io_context& io, std::string path, AsyncHandler handle);
  ~ControlServer();
  bool Start(std::string* error);
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::daemon
