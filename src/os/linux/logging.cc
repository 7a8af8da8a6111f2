#include "os/linux/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace vigil::os {

std::optional<int> ParseFacility(const std::string& s) {
  std::string v = s;
  if (v.rfind("local", 0) == 0) v = v.substr(5);
  if (v.size() == 1 && v[0] >= '0' && v[0] <= '7') return v[0] - '0';
  if (s == "daemon") return -1;
  if (s == "user") return -2;
  return std::nullopt;
}

namespace {

// At most this many lines wait for the writer; beyond it the oldest are dropped (and the
// drop is reported). Memory is only taken while lines wait.
constexpr size_t kMaxQueuedLines = 65536;

// Hands each line to a writer thread, so the event loop never waits for a console, a disk
// or syslog. Unlike spdlog's async logger it preallocates nothing: a queue of 16k slots
// would cost more memory than a thousand VRRP instances.
class AsyncSink final : public spdlog::sinks::sink {
 public:
  explicit AsyncSink(std::vector<spdlog::sink_ptr> sinks)
      : sinks_(std::move(sinks)), writer_([this] { Write(); }) {}

  ~AsyncSink() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    writer_.join();  // the writer drains the queue first
  }

  void log(const spdlog::details::log_msg& m) override {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= kMaxQueuedLines) {
        queue_.pop_front();
        ++dropped_;
      }
      queue_.push_back(Line{m.time, m.level, std::string(m.payload.data(), m.payload.size())});
    }
    cv_.notify_one();
  }

  // The writer flushes after every batch; a flush request never blocks the caller.
  void flush() override {}
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  struct Line {
    spdlog::log_clock::time_point time;
    spdlog::level::level_enum level;
    std::string text;
  };

  void Write() {
    std::deque<Line> batch;
    while (true) {
      size_t dropped;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty() && stop_) return;
        batch.swap(queue_);
        dropped = dropped_;
        dropped_ = 0;
      }
      if (dropped) {
        std::string text = std::to_string(dropped) + " log lines dropped (logging fell behind)";
        Emit(Line{spdlog::log_clock::now(), spdlog::level::warn, text});
      }
      for (const auto& l : batch) Emit(l);
      batch.clear();
      for (auto& s : sinks_) s->flush();
    }
  }

  void Emit(const Line& l) {
    spdlog::details::log_msg m(l.time, spdlog::source_loc{}, "", l.level, l.text);
    for (auto& s : sinks_) {
      if (s->should_log(l.level)) s->log(m);
    }
  }

  std::vector<spdlog::sink_ptr> sinks_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Line> queue_;
  size_t dropped_ = 0;
  bool stop_ = false;
  std::thread writer_;  // last: starts after the members it uses exist
};

}  // namespace

void SetupLogging(const LogOptions& o) {
  std::vector<spdlog::sink_ptr> sinks;
  if (o.syslog) {
    static const int kLocal[] = {LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
                                 LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7};
    int facility =
        o.facility >= 0 ? kLocal[o.facility] : (o.facility == -2 ? LOG_USER : LOG_DAEMON);
    auto s = std::make_shared<spdlog::sinks::syslog_sink_mt>(o.ident, LOG_PID, facility, false);
    s->set_pattern("%v");
    sinks.push_back(s);
  }
  if (o.console) {
    auto s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    s->set_pattern(o.ident + "[%P]: %v");
    sinks.push_back(s);
  }
  if (o.file) {
    auto s = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*o.file, false);
    s->set_pattern("%Y-%m-%d %H:%M:%S.%e " + o.ident + "[%P]: %v");
    sinks.push_back(s);
  }
  auto logger =
      std::make_shared<spdlog::logger>(o.ident, std::make_shared<AsyncSink>(std::move(sinks)));
  logger->set_level(o.detail ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}



}  // namespace vigil::os
