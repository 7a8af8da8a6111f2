// FILE_CHECK: reads the number in the file of the named track_file at each check. With
// keepalived's rule for the weight (the checker's `weight`, else the track_file's):
// weight 0 makes any non-zero value fail; otherwise the value times the weight (negated with
// `reverse`) is added to the real server's configured weight, which is its new weight; the
// check fails when that is below 1 (Vigil's reading: a server with no weight left takes no
// traffic). An unreadable file, or one that holds no number, fails ("file-unreadable",
// "file-not-number").
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/probe.h"

namespace vigil::daemon {
namespace {

namespace asio = boost::asio;

class FileProbe : public Probe {
 public:
  FileProbe(asio::io_context& io, std::string path, long weight, int rs_weight)
      : io_(io),
        path_(std::move(path)),
        weight_(weight),
        rs_weight_(rs_weight),
        alive_(std::make_shared<bool>(true)) {}
  ~FileProbe() override { *alive_ = false; }
  void Start(std::function<void(ProbeResult)> done) override {
    ProbeResult r = Read();
    asio::post(io_, [alive = alive_, done = std::move(done), r = std::move(r)]() mutable {
      if (*alive) done(std::move(r));
    });
  }

 private:
  ProbeResult Read() const {
    std::ifstream in(path_);
    if (!in) return ProbeResult::Fail("file-unreadable", path_ + ": " + std::strerror(errno));
    std::string text;
    std::getline(in, text, '\0');
    size_t at = text.find_first_not_of(" \t\r\n");
    if (at == std::string::npos) return ProbeResult::Fail("file-not-number", path_ + " is empty");
    long v = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + text.size(), v);
    if (ec != std::errc()) {
      return ProbeResult::Fail("file-not-number", path_ + " does not start with a number");
    }
    if (weight_ == 0) {
      return v == 0 ? ProbeResult::Ok()
                    : ProbeResult::Fail("file-nonzero", path_ + " holds " + std::to_string(v));
    }
    long w = static_cast<long>(rs_weight_) + v * weight_;
    if (w < 1) {
      return ProbeResult::Fail("file-no-weight", path_ + " holds " + std::to_string(v) +
                                                     ": weight " + std::to_string(w));
    }
    auto r = ProbeResult::Ok();
    r.weight = static_cast<int>(std::min<long>(w, 65535));
    return r;
  }

  asio::io_context& io_;
  std::string path_;
  long weight_;
  int rs_weight_;
  std::shared_ptr<bool> alive_;
};

}  // namespace

std::unique_ptr<Probe> MakeFileProbe(asio::io_context& io, const ProbeSpec& spec,
                                     std::string* error) {
  const auto& d = spec.checker->details.get();
  const model::TrackFileConf* tf = nullptr;
  for (const auto& f : spec.config->track_files) {
    if (f.name == d.track_file) tf = &f;
  }
  if (!tf) {
    *error = "FILE_CHECK: no track_file named " + d.track_file;
    return nullptr;
  }
  long weight = d.file_weight.value_or(tf->weight);
  bool reverse = d.file_weight ? d.file_weight_reverse : tf->weight_reverse;
  if (reverse) weight = -weight;
  return std::make_unique<FileProbe>(io, tf->file, weight, spec.rs->weight);
}

}  // namespace vigil::daemon
