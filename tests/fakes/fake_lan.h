// FakeLan: several vrrp::Router instances on one simulated segment with a simulated clock.
// Adverts go through the real codec (Encode, then Decode at each receiver) and arrive after a
// fixed latency; the segment can lose or partition traffic. Time only moves in RunFor/RunUntil,
// which process timer expiries and deliveries in time order. Nothing sleeps.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "vrrp/router.h"

namespace vigil::testing {

class FakeLan {
 public:
  using Duration = vrrp::Duration;
  using TimePoint = vrrp::TimePoint;

  struct Node {
    std::unique_ptr<vrrp::Router> router;
    std::map<vrrp::Timer, TimePoint> timers;
    bool running = false;  // started and not stopped/killed
    bool link_up = true;
    bool holds_vips = false;
    int partition = 0;
    std::vector<std::pair<TimePoint, vrrp::StateChanged>> history;
  };

  Duration latency = std::chrono::microseconds(200);
  // Per-packet extra delay (reordering): packets may overtake each other.
  std::function<Duration(int from, int to)> jitter = [](int, int) { return Duration{0}; };
  // Return false to drop the advert `from` sends to `to` (loss patterns).
  std::function<bool(int from, int to)> deliver = [](int, int) { return true; };

  int Add(vrrp::RouterConfig config) {
    auto n = std::make_unique<Node>();
    n->router = std::make_unique<vrrp::Router>(std::move(config));
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }

  Node& node(int i) { return *nodes_[static_cast<size_t>(i)]; }
  vrrp::Router& router(int i) { return *node(i).router; }
  vrrp::State state(int i) { return router(i).state(); }
  TimePoint now() const { return now_; }
  Duration elapsed() const { return now_ - TimePoint{}; }

  void Start(int i) {
    node(i).running = true;
    Step(i, vrrp::Startup{});
  }
  // The process died (kill -9) but its addresses stay on the interface; after `gap` a new
  // process starts with the same configuration and resumes (Startup::resume_master) if it
  // still holds them, as the supervisor's restarted VRRP child does.
  void CrashAndResume(int i, Duration gap) {
    node(i).running = false;
    node(i).timers.clear();
    RunFor(gap);
    bool held = node(i).holds_vips;
    node(i).router = std::make_unique<vrrp::Router>(router(i).config());
    node(i).running = true;
    Step(i, vrrp::Startup{held});
  }
  // Graceful stop: the router runs its shutdown (a Master sends priority 0).
  void Stop(int i) {
    Step(i, vrrp::Shutdown{});
    node(i).running = false;
    node(i).timers.clear();
  }
  // A process restart after kill -9: a new router with the same configuration (its counters,
  // AH sequence number included, start again from zero).
  void Restart(int i) {
    Kill(i);
    node(i).router = std::make_unique<vrrp::Router>(router(i).config());
    Start(i);
  }
  // kill -9: the router vanishes without a word; its addresses go with it.
  void Kill(int i) {
    node(i).running = false;
    node(i).timers.clear();
    node(i).holds_vips = false;
  }
  void SetLink(int i, bool up) {
    node(i).link_up = up;
    Step(i, vrrp::LinkChanged{up});
  }
  void SetPriority(int i, int p) { Step(i, vrrp::PriorityChanged{p}); }
  void Partition(int i, int group) { node(i).partition = group; }
  void Heal() {
    for (auto& n : nodes_) n->partition = 0;
  }

  void RunFor(Duration d) { RunUntil(now_ + d); }

  void RunUntil(TimePoint t) {
    while (!events_.empty() && events_.top().at <= t) {
      Event e = events_.top();
      events_.pop();
      now_ = e.at;
      Node& n = node(e.node);
      if (!n.running) continue;
      if (e.is_timer) {
        auto it = n.timers.find(e.timer);
        if (it == n.timers.end() || it->second != e.at) continue;  // cancelled or re-armed
        n.timers.erase(it);
        Step(e.node, vrrp::TimerFired{e.timer});
      } else {
        Receive(e.node, e.bytes, e.from);
      }
    }
    now_ = t;
  }

  std::vector<int> Masters() {
    std::vector<int> out;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->running && nodes_[i]->router->state() == vrrp::State::kMaster) {
        out.push_back(static_cast<int>(i));
      }
    }
    return out;
  }
  int VipHolders() {
    int c = 0;
    for (auto& n : nodes_) c += n->holds_vips ? 1 : 0;
    return c;
  }
  // When node i last entered `s` (TimePoint{} if never).
  TimePoint LastEntered(int i, vrrp::State s) {
    TimePoint t{};
    for (auto& [at, sc] : node(i).history) {
      if (sc.to == s) t = at;
    }
    return t;
  }
  size_t Transitions(int i) { return node(i).history.size(); }

 private:
  struct Event {
    TimePoint at;
    uint64_t seq;
    int node;
    bool is_timer;
    vrrp::Timer timer;
    std::vector<uint8_t> bytes;
    int from;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void Step(int i, const vrrp::Input& in) {
    std::vector<vrrp::Output> out;
    router(i).Step(in, now_, out);
    Execute(i, out);
  }

  void Execute(int i, const std::vector<vrrp::Output>& outs) {
    Node& n = node(i);
    for (const auto& o : outs) {
      if (auto* s = std::get_if<vrrp::SendAdvert>(&o)) {
        Broadcast(i, *s);
      } else if (auto* a = std::get_if<vrrp::ArmTimer>(&o)) {
        n.timers[a->timer] = a->deadline;
        events_.push(Event{a->deadline, seq_++, i, true, a->timer, {}, i});
      } else if (auto* c = std::get_if<vrrp::CancelTimer>(&o)) {
        n.timers.erase(c->timer);
      } else if (std::holds_alternative<vrrp::InstallVips>(o)) {
        n.holds_vips = true;
      } else if (std::holds_alternative<vrrp::RemoveVips>(o)) {
        n.holds_vips = false;
      } else if (auto* sc = std::get_if<vrrp::StateChanged>(&o)) {
        n.history.emplace_back(now_, *sc);
      }
    }
  }

  void Broadcast(int from, const vrrp::SendAdvert& s) {
    Node& src = node(from);
    if (!src.link_up) return;
    const auto& cfg = src.router->config();
    base::IpAddress group =
        *base::IpAddress::Parse(cfg.primary_address.is_v4() ? "224.0.0.18" : "ff02::12");
    auto bytes = vrrp::Encode(s.advert, cfg.primary_address, group);
    if (cfg.auth_type == vrrp::AuthType::kAh) {
      // The whole IPv4 datagram, as the AH socket sends it.
      vrrp::AhIpFields ip{cfg.primary_address, group, static_cast<uint16_t>(s.ah_sequence | 1)};
      bytes = vrrp::BuildAhDatagram(bytes, ip, cfg.auth_data, s.ah_sequence, false);
    }
    for (size_t j = 0; j < nodes_.size(); ++j) {
      int to = static_cast<int>(j);
      if (to == from || nodes_[j]->partition != src.partition || !nodes_[j]->link_up) continue;
      if (!deliver(from, to)) continue;
      events_.push(Event{now_ + latency + jitter(from, to), seq_++, to, false, vrrp::Timer::kAdver,
                         bytes, from});
    }
  }

  void Receive(int to, const std::vector<uint8_t>& bytes, int from) {
    const auto& cfg = node(from).router->config();
    base::IpAddress group =
        *base::IpAddress::Parse(cfg.primary_address.is_v4() ? "224.0.0.18" : "ff02::12");
    vrrp::RxMeta meta{cfg.primary_address, group, 255};
    std::span<const uint8_t> message = bytes;
    std::optional<uint32_t> sequence;
    if (bytes.size() > vrrp::kIpv4HeaderSize && bytes[0] == 0x45) {  // IPv4 + AH
      std::span<const uint8_t> all = bytes;
      auto v = vrrp::VerifyAh(all.first(vrrp::kIpv4HeaderSize), all.subspan(vrrp::kIpv4HeaderSize),
                              router(to).config().auth_data, false);
      if (auto* e = std::get_if<vrrp::AhError>(&v)) {
        router(to).CountAhError(*e);
        return;
      }
      message = std::get<vrrp::AhVerified>(v).message;
      sequence = std::get<vrrp::AhVerified>(v).sequence;
    }
    auto r = vrrp::Decode(message, meta);
    if (auto* e = std::get_if<vrrp::DecodeError>(&r)) {
      router(to).CountDecodeError(*e);
      return;
    }
    Step(to, vrrp::AdvertReceived{std::get<vrrp::Decoded>(r).advert, meta, sequence});
  }

  std::vector<std::unique_ptr<Node>> nodes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  TimePoint now_{};
  uint64_t seq_ = 0;
};

}  // namespace vigil::testing
