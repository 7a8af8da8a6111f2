#include "daemon/control_server.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

namespace vigil::daemon {

namespace asio = boost::asio;
using Proto = asio::local::stream_protocol;

namespace {
constexpr size_t kMaxRequest = 4096;
}

struct ControlServer::Impl {
  asio::io_context& io;
  std::string path;
  AsyncHandler handle;
  std::unique_ptr<Proto::acceptor> acceptor;

  struct Session : std::enable_shared_from_this<Session> {
    Proto::socket socket;
    asio::streambuf buffer{kMaxRequest};
    std::string reply;
    AsyncHandler& handle;
    Session(Proto::socket s, AsyncHandler& h) : socket(std::move(s)), handle(h) {}
    void Run() {
      auto self = shared_from_this();
      asio::async_read_until(
          socket, buffer, '\n', [self](const boost::system::error_code& ec, size_t n) {
            if (ec) return;  // too long, closed, or cancelled
            std::string line(asio::buffers_begin(self->buffer.data()),
                             asio::buffers_begin(self->buffer.data()) + static_cast<long>(n) - 1);
            self->handle(line, [self](std::string reply) {
              self->reply = std::move(reply) + "\n";
              asio::async_write(self->socket, asio::buffer(self->reply),
                                [self](const boost::system::error_code&, size_t) {});
            });
          });
    }
  };

  bool PeerAllowed(Proto::socket& s) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(s.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return false;
    return cred.uid == 0 || cred.uid == ::geteuid();
  }

  void Accept() {
    acceptor->async_accept([this](const boost::system::error_code& ec, Proto::socket s) {
      if (ec) return;
      if (PeerAllowed(s)) std::make_shared<Session>(std::move(s), handle)->Run();
      Accept();
    });
  }
};

ControlServer::ControlServer(asio::io_context& io, std::string path, AsyncHandler handle)
    : impl_(std::make_unique<Impl>(Impl{io, std::move(path), std::move(handle), nullptr})) {}

ControlServer::ControlServer(asio::io_context& io, std::string path, Handler handle)
    : ControlServer(io, std::move(path),
                    AsyncHandler([h = std::move(handle)](const std::string& request,
                                                         std::function<void(std::string)> reply) {
                      reply(h(request));
                    })) {}

ControlServer::~ControlServer() { Stop(); }

bool ControlServer::Start(std::string* error) {
  ::unlink(impl_->path.c_str());
  boost::system::error_code ec;
  impl_->acceptor = std::make_unique<Proto::acceptor>(impl_->io);
  impl_->acceptor->open(Proto(), ec);
  if (!ec) impl_->acceptor->bind(Proto::endpoint(impl_->path), ec);
  if (!ec) impl_->acceptor->listen(16, ec);
  if (ec) {
    *error = "control socket " + impl_->path + ": " + ec.message();
    return false;
  }
  ::chmod(impl_->path.c_str(), 0660);
  impl_->Accept();
  return true;
}

void ControlServer::Stop() {
  if (impl_ && impl_->acceptor) {
    boost::system::error_code ec;
    impl_->acceptor->close(ec);
    impl_->acceptor.reset();
    ::unlink(impl_->path.c_str());
  }
}

}  // namespace vigil::daemon
