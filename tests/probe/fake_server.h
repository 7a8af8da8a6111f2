// Misbehaving servers for the probe scenario tests (probe_tests, tests/probe/*.cc).
//
// probe_main.cc puts the whole test binary in a network namespace of its own, with lo up and
// only two addresses that the tests use: kTestV4 (192.0.2.1) and kTestV6 (2001:db8::1).
// Nothing here ever talks to another address (not even 127.0.0.1), and everything goes away
// with the process.
//
//   TcpFake   a listener on a thread; each accepted connection runs a script of Acts on a
//             thread of its own: send, trickle, garbage, read, sleep, hang, close, reset.
//             After the last Act the connection is closed (a FIN), so end a script with
//             Hang() when the client still has something to say (a close with unread data
//             would send a RST instead).
//   UdpFake   a socket on a thread; each datagram goes to a handler that returns the
//             datagrams to send back (none: silence), optionally after a delay.
//   UnusedPort()    a port nothing listens on: TCP gets a RST, UDP an ICMP port unreachable.
//   BlackholePort() a port whose packets an nftables rule drops in the input hook: a TCP
//             connect is never answered (it times out), a UDP datagram vanishes without ICMP.
//   ScopedNft       an nftables table that exists for a scope (e.g. to drop echo requests).
//
// Every blocking call of a fake waits on its stop event too, so destroying a fake (at the end
// of a test) never hangs, whatever its script is doing.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vigil::fake {

using Ms = std::chrono::milliseconds;

inline constexpr const char* kTestV4 = "192.0.2.1";
inline constexpr const char* kTestV6 = "2001:db8::1";

enum class Family { kV4, kV6 };
inline const char* Address(Family f) { return f == Family::kV4 ? kTestV4 : kTestV6; }

// Sets up the namespace (probe_main.cc calls it first thing, before any thread exists):
// unshare(CLONE_NEWNET), lo up with both addresses, the blackhole rule. False and *error if
// any step fails.
bool EnterTestNetns(std::string* error);
// Runs a shell command (`ip`, `nft`, `sysctl` ...) in the test namespace; true on exit 0.
bool Sh(const std::string& command);

// One step of a TCP fake's script.
struct Act {
  enum Kind { kSend, kTrickle, kGarbage, kReadLine, kRead, kSleep, kHang, kClose, kReset, kCall };
  Kind kind = kClose;
  std::string bytes;
  size_t count = 0;
  Ms interval{0};
  std::function<void(int fd)> call;

  static Act Send(std::string bytes);
  static Act Trickle(std::string bytes, Ms every);  // one byte, then a pause, ...
  static Act Garbage(size_t n);                     // n pseudo-random bytes
  static Act ReadLine();                            // up to '\n' (recorded)
  static Act Read(size_t n);                        // n bytes (recorded)
  static Act Sleep(Ms d);
  static Act Hang();   // read and record until the peer closes (or the fake stops)
  static Act Close();  // close now (FIN)
  static Act Reset();  // SO_LINGER 0 and close (RST)
  static Act Call(std::function<void(int fd)> f);  // anything else, on the connection's fd
};

// A fd that tells the fake's threads to stop.
class StopEvent {
 public:
  StopEvent();
  ~StopEvent();
  void Set();
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

class TcpFake {
 public:
  explicit TcpFake(std::vector<Act> script, Family f = Family::kV4);
  ~TcpFake();
  TcpFake(const TcpFake&) = delete;
  TcpFake& operator=(const TcpFake&) = delete;

  int port() const { return port_; }
  const char* address() const { return Address(family_); }
  int accepted() const { return accepted_.load(); }
  int finished() const { return finished_.load(); }
  // What each connection sent (what its ReadLine / Read / Hang acts read), by acceptance.
  std::vector<std::string> received() const;
  // The client's port of each connection, by acceptance (as accept() returned it).
  std::vector<int> peer_ports() const;
  // Waits until `n` connections have ended; false at the timeout.
  bool WaitFinished(int n, Ms timeout) const;

 private:
  void AcceptLoop();
  void Serve(int fd, size_t index);

  std::vector<Act> script_;
  Family family_;
  int listen_fd_ = -1;
  int port_ = 0;
  StopEvent stop_;
  std::atomic<int> accepted_{0}, finished_{0};
  mutable std::mutex mu_;
  std::vector<std::string> received_;
  std::vector<int> peer_ports_;
  std::vector<std::thread> connections_;
  std::thread acceptor_;
};

class UdpFake {
 public:
  using Handler = std::function<std::vector<std::string>(std::string_view request)>;
  explicit UdpFake(Handler handler, Family f = Family::kV4, Ms delay = Ms(0));
  ~UdpFake();
  UdpFake(const UdpFake&) = delete;
  UdpFake& operator=(const UdpFake&) = delete;

  int port() const { return port_; }
  const char* address() const { return Address(family_); }
  std::vector<std::string> requests() const;

 private:
  void Loop();

  Handler handler_;
  Family family_;
  Ms delay_;
  int fd_ = -1;
  int port_ = 0;
  StopEvent stop_;
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A free port on Address(f) for `type` (SOCK_STREAM or SOCK_DGRAM) with nothing bound to it.
int UnusedPort(Family f, int type);
// The port whose TCP and UDP packets to either test address are dropped (9).
int BlackholePort();

// An nftables table `name` (family inet) with `body` (chains and rules, nft syntax) for the
// life of the object.
class ScopedNft {
 public:
  ScopedNft(std::string name, const std::string& body);
  ~ScopedNft();
  bool ok() const { return ok_; }

 private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace vigil::fake
