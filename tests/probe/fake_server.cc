#include "fake_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

namespace vigil::fake {
namespace {

constexpr int kBlackholePort = 9;

socklen_t SockAddr(Family f, int port, sockaddr_storage* ss) {
  std::memset(ss, 0, sizeof *ss);
  if (f == Family::kV4) {
    auto* s = reinterpret_cast<sockaddr_in*>(ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, kTestV4, &s->sin_addr);
    return sizeof *s;
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(ss);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET6, kTestV6, &s->sin6_addr);
  return sizeof *s;
}

// A socket of `type` bound to Address(f):port (0: any free port); *port gets the port.
int Bind(Family f, int type, int* port) {
  int fd = ::socket(f == Family::kV4 ? AF_INET : AF_INET6, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_storage ss;
  socklen_t len = SockAddr(f, *port, &ss);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    ::close(fd);
    return -1;
  }
  len = sizeof ss;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  *port = ntohs(f == Family::kV4 ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                 : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return fd;
}

enum class Wait { kReady, kStop, kTimeout };

// Waits until `fd` is readable (fd < 0: only the timeout), the stop event is set, or `timeout`
// (negative: none) has passed.
Wait WaitFor(int fd, const StopEvent& stop, Ms timeout) {
  pollfd p[2] = {{stop.fd(), POLLIN, 0}, {fd, POLLIN, 0}};
  while (true) {
    int n = ::poll(p, fd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Wait::kTimeout;
    if (p[0].revents) return Wait::kStop;
    return Wait::kReady;
  }
}

bool Pause(const StopEvent& stop, Ms d) { return WaitFor(-1, stop, d) == Wait::kTimeout; }

bool SendAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads one byte into *c; false at EOF, on an error or when stopped.
bool ReadByte(int fd, const StopEvent& stop, char* c) {
  if (WaitFor(fd, stop, Ms(-1)) != Wait::kReady) return false;
  return ::recv(fd, c, 1, 0) == 1;
}

}  // namespace

bool Sh(const std::string& command) { return std::system(command.c_str()) == 0; }

bool EnterTestNetns(std::string* error) {
  if (::unshare(CLONE_NEWNET) != 0) {
    *error = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (needs root)";
    return false;
  }
  const std::string steps[] = {
      "ip link set lo up",
      std::string("ip addr add ") + kTestV4 + "/32 dev lo",
      std::string("ip -6 addr add ") + kTestV6 + "/128 dev lo nodad",
      "nft add table inet vigil_blackhole",
      "nft add chain inet vigil_blackhole input '{ type filter hook input priority 0; }'",
      "nft add rule inet vigil_blackhole input tcp dport " + std::to_string(kBlackholePort) +
          " drop",
      "nft add rule inet vigil_blackhole input udp dport " + std::to_string(kBlackholePort) +
          " drop",
  };
  for (const auto& s : steps) {
    if (!Sh(s)) {
      *error = "test namespace set-up failed at: " + s;
      return false;
    }
  }
  return true;
}

Act Act::Send(std::string bytes) {
  Act a;
  a.kind = kSend;
  a.bytes = std::move(bytes);
  return a;
}
Act Act::Trickle(std::string bytes, Ms every) {
  Act a = Send(std::move(bytes));
  a.kind = kTrickle;
  a.interval = every;
  return a;
}
Act Act::Garbage(size_t n) {
  Act a;
  a.kind = kGarbage;
  a.count = n;
  return a;
}
Act Act::ReadLine() {
  Act a;
  a.kind = kReadLine;
  return a;
}
Act Act::Read(size_t n) {
  Act a;
  a.kind = kRead;
  a.count = n;
  return a;
}
Act Act::Sleep(Ms d) {
  Act a;
  a.kind = kSleep;
  a.interval = d;
  return a;
}
Act Act::Hang() {
  Act a;
  a.kind = kHang;
  return a;
}
Act Act::Close() { return Act{}; }
Act Act::Reset() {
  Act a;
  a.kind = kReset;
  return a;
}
Act Act::Call(std::function<void(int fd)> f) {
  Act a;
  a.kind = kCall;
  a.call = std::move(f);
  return a;
}

StopEvent::StopEvent() : fd_(::eventfd(0, EFD_CLOEXEC)) {}
StopEvent::~StopEvent() { ::close(fd_); }
void StopEvent::Set() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
}

TcpFake::TcpFake(std::vector<Act> script, Family f) : script_(std::move(script)), family_(f) {
  listen_fd_ = Bind(f, SOCK_STREAM, &port_);
  if (listen_fd_ < 0 || ::listen(listen_fd_, 16) != 0) {
    std::fprintf(stderr, "TcpFake: cannot listen on %s: %s\n", Address(f), std::strerror(errno));
    std::abort();
  }
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TcpFake::~TcpFake() {
  stop_.Set();
  acceptor_.join();
  for (auto& t : connections_) t.join();
  ::close(listen_fd_);
}

void TcpFake::AcceptLoop() {
  while (WaitFor(listen_fd_, stop_, Ms(-1)) == Wait::kReady) {
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    size_t index;
    {
      std::lock_guard<std::mutex> lock(mu_);
      index = received_.size();
      received_.emplace_back();
      peer_ports_.push_back(ntohs(peer.ss_family == AF_INET
                                      ? reinterpret_cast<sockaddr_in*>(&peer)->sin_port
                                      : reinterpret_cast<sockaddr_in6*>(&peer)->sin6_port));
    }
    ++accepted_;
    connections_.emplace_back([this, fd, index] { Serve(fd, index); });
  }
}

void TcpFake::Serve(int fd, size_t index) {
  auto record = [&](std::string_view s) {
    std::lock_guard<std::mutex> lock(mu_);
    received_[index].append(s);
  };
  std::mt19937 gen(static_cast<unsigned>(index + 1));
  bool open = true;
  for (size_t i = 0; i < script_.size() && open; ++i) {
    const Act& a = script_[i];
    switch (a.kind) {
      case Act::kSend:
        open = SendAll(fd, a.bytes);
        break;
      case Act::kTrickle:
        for (size_t k = 0; k < a.bytes.size() && open; ++k) {
          open = SendAll(fd, a.bytes.substr(k, 1)) && Pause(stop_, a.interval);
        }
        break;
      case Act::kGarbage: {
        std::string g(a.count, '\0');
        for (auto& c : g) c = static_cast<char>(gen());
        open = SendAll(fd, g);
        break;
      }
      case Act::kReadLine: {
        char c = 0;
        std::string line;
        while ((open = ReadByte(fd, stop_, &c))) {
          line.push_back(c);
          if (c == '\n') break;
        }
        record(line);
        break;
      }
      case Act::kRead: {
        char c = 0;
        std::string got;
        while (got.size() < a.count && (open = ReadByte(fd, stop_, &c))) got.push_back(c);
        record(got);
        break;
      }
      case Act::kSleep:
        open = Pause(stop_, a.interval);
        break;
      case Act::kHang: {
        char buf[512];
        while (WaitFor(fd, stop_, Ms(-1)) == Wait::kReady) {
          ssize_t n = ::recv(fd, buf, sizeof buf, 0);
          if (n <= 0) break;
          record(std::string_view(buf, static_cast<size_t>(n)));
        }
        open = false;
        break;
      }
      case Act::kClose:
        open = false;
        break;
      case Act::kReset: {
        linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        open = false;
        break;
      }
      case Act::kCall:
        a.call(fd);
        break;
    }
  }
  ::close(fd);
  ++finished_;
}

std::vector<int> TcpFake::peer_ports() const {
  std::lock_guard<std::mutex> lock(mu_);
  return peer_ports_;
}

std::vector<std::string> TcpFake::received() const {
  std::lock_guard<std::mutex> lock(mu_);
  return received_;
}

bool TcpFake::WaitFinished(int n, Ms timeout) const {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (finished_.load() < n) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(Ms(5));
  }
  return true;
}

UdpFake::UdpFake(Handler handler, Family f, Ms delay)
    : handler_(std::move(handler)), family_(f), delay_(delay) {
  fd_ = Bind(f, SOCK_DGRAM, &port_);
  if (fd_ < 0) {
    std::fprintf(stderr, "UdpFake: cannot bind %s: %s\n", Address(f), std::strerror(errno));
    std::abort();
  }
  thread_ = std::thread([this] { Loop(); });
}

UdpFake::~UdpFake() {
  stop_.Set();
  thread_.join();
  ::close(fd_);
}

void UdpFake::Loop() {
  std::vector<char> buf(65536);
  while (WaitFor(fd_, stop_, Ms(-1)) == Wait::kReady) {
    sockaddr_storage from;
    socklen_t len = sizeof from;
    ssize_t n =
        ::recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) continue;
    std::string request(buf.data(), static_cast<size_t>(n));
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(request);
    }
    if (delay_.count() > 0 && !Pause(stop_, delay_)) return;
    for (const auto& reply : handler_(request)) {
      ::sendto(fd_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
}

std::vector<std::string> UdpFake::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int UnusedPort(Family f, int type) {
  int port = 0;
  int fd = Bind(f, type, &port);
  if (fd >= 0) ::close(fd);
  return port;
}

int BlackholePort() { return kBlackholePort; }

ScopedNft::ScopedNft(std::string name, const std::string& body) : name_(std::move(name)) {
  ok_ = Sh("nft -f - <<'EOF'\ntable inet " + name_ + " {\n" + body + "\n}\nEOF");
}

ScopedNft::~ScopedNft() {
  if (ok_) Sh("nft delete table inet " + name_);
}

}  // namespace vigil::fake
