#include "check/smtp.h"

#include <utility>

namespace vigil::check::smtp {
namespace {

bool Digit(char c) { return c >= '0' && c <= '9'; }

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  if (s.size() > 80) out += "...";
  return out;
}

std::string CodeFailure(const char* phase, int code) {
  std::string p = phase;
  if (code >= 400 && code < 500) return p + "-4xx";
  if (code >= 500 && code < 600) return p + "-5xx";
  return p + "-unexpected";
}

}  // namespace

ReplyReader::Status ReplyReader::Error(std::string failure, std::string detail) {
  failure_ = std::move(failure);
  detail_ = std::move(detail);
  return Status::kError;
}

ReplyReader::Status ReplyReader::Feed(std::string_view data) {
  if (!failure_.empty()) return Status::kError;
  if (complete_) return Status::kReply;
  total_ += data.size();
  if (total_ > max_total_) {
    return Error("smtp-too-long", "more than " + std::to_string(max_total_) + " bytes received");
  }
  buf_.append(data);
  while (true) {
    size_t nl = buf_.find('\n');
    if (nl == std::string::npos) {
      if (buf_.size() >= max_line_) {
        return Error("smtp-line-too-long",
                     "a reply line longer than " + std::to_string(max_line_) + " bytes");
      }
      return Status::kMore;
    }
    if (nl + 1 > max_line_) {
      return Error("smtp-line-too-long",
                   "a reply line longer than " + std::to_string(max_line_) + " bytes");
    }
    std::string_view line(buf_.data(), nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    bool shaped = line.size() >= 3 && line[0] >= '2' && line[0] <= '5' && Digit(line[1]) &&
                  Digit(line[2]) && (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!shaped) return Error("smtp-bad-reply", "not a reply line: \"" + Printable(line) + "\"");
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (reply_.lines > 0 && code != reply_.code) {
      return Error("smtp-bad-reply", "continuation line with code " + std::to_string(code) +
                                         " in a " + std::to_string(reply_.code) + " reply");
    }
    reply_.code = code;
    if (reply_.lines++ > 0) reply_.text.push_back('\n');
    if (line.size() > 4) reply_.text.append(line.substr(4));
    bool last = line.size() == 3 || line[3] == ' ';
    buf_.erase(0, nl + 1);
    if (last) {
      complete_ = true;
      return Status::kReply;
    }
  }
}

Reply ReplyReader::Take() {
  Reply r = std::move(reply_);
  reply_ = Reply{};
  complete_ = false;
  return r;
}

const char* PhaseName(Phase p) {
  switch (p) {
    case Phase::kBanner:
      return "smtp-banner";
    case Phase::kHelo:
      return "smtp-helo";
    case Phase::kQuit:
      return "smtp-quit";
  }
  return "smtp";
}

Dialogue::Dialogue(std::string helo_name)
    : helo_(helo_name.empty() ? std::string(kDefaultHelo) : std::move(helo_name)) {}

Dialogue::Step Dialogue::OnReply(const Reply& r) {
  Step s;
  std::string said = std::to_string(r.code) + " " + Printable(r.text);
  switch (phase_) {
    case Phase::kBanner:
      if (r.code != 220) {
        s.failure = CodeFailure(PhaseName(phase_), r.code);
        s.detail = "banner " + said;
        return s;
      }
      phase_ = Phase::kHelo;
      s.kind = Step::kWrite;
      s.bytes = "HELO " + helo_ + "\r\n";
      return s;
    case Phase::kHelo:
      if (r.code != 250) {
        s.failure = CodeFailure(PhaseName(phase_), r.code);
        s.detail = "HELO answered " + said;
        return s;
      }
      phase_ = Phase::kQuit;
      s.kind = Step::kWrite;
      s.bytes = "QUIT\r\n";
      return s;
    case Phase::kQuit:
      s.kind = Step::kPass;  // keepalived accepts any reply to QUIT
      return s;
  }
  return s;
}

bool ValidHeloName(std::string_view name) {
  return name.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace vigil::check::smtp
