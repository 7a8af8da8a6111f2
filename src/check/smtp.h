// SMTP_CHECK's dialogue (keepalived.conf(5)), pure: read the banner (220), send
// "HELO helo_name" (default smtpchecker.keepalived.org) and expect 250, send QUIT and read its
// reply, whatever its code (keepalived does not look at it). Replies are read as RFC 5321
// section 4.2 says: "CODE-text" continuation lines, then "CODE text" (or "CODE"), all with the
// same code. keepalived 2.2 only looks at the first line and fails a multi-line banner
// ("220-..."); Vigil reads the whole reply and passes it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::check::smtp {

inline constexpr const char* kDefaultHelo = "smtpchecker.keepalived.org";
inline constexpr size_t kMaxLine = 1000;       // a reply line, CRLF included (RFC 5321: 512)
inline constexpr size_t kMaxTotal = 16 << 10;  // everything read in one dialogue

struct Reply {
  int code = 0;
  std::string text;  // the lines' texts, joined by '\n'
  int lines = 0;
};

// An incremental reader of replies. Lines end with LF (a CR before it is dropped).
class ReplyReader {
 public:
  enum class Status { kMore, kReply, kError };
  explicit ReplyReader(size_t max_line = kMaxLine, size_t max_total = kMaxTotal)
      : max_line_(max_line), max_total_(max_total) {}

  // Appends `data` and parses up to the end of the next reply. After kReply, Take() it; what
  // was received beyond that reply stays buffered for the next one (Feed({}) parses it).
  Status Feed(std::string_view data);
  Reply Take();
  // After kError: "smtp-bad-reply" (a line that is not "DDD", "DDD text" or "DDD-text", or a
  // continuation with another code), "smtp-line-too-long" or "smtp-too-long" (the total).
  const std::string& failure() const { return failure_; }
  const std::string& detail() const { return detail_; }

 private:
  Status Error(std::string failure, std::string detail);

  size_t max_line_, max_total_;
  size_t total_ = 0;
  std::string buf_;  // bytes not yet parsed
  Reply reply_;      // the reply being assembled
  bool complete_ = false;
  std::string failure_, detail_;
};

// Which reply the dialogue waits for; I/O failures are named after it ("smtp-banner-timeout",
// "smtp-helo-closed", ...).
enum class Phase { kBanner, kHelo, kQuit };
const char* PhaseName(Phase p);  // "smtp-banner", "smtp-helo", "smtp-quit"

class Dialogue {
 public:
  explicit Dialogue(std::string helo_name);

  struct Step {
    enum Kind { kWrite, kPass, kFail } kind = kFail;
    std::string bytes;            // kWrite: send these, then read the next reply
    std::string failure, detail;  // kFail
  };
  // The reply to the current phase (the banner first). A banner other than 220 fails as
  // "smtp-banner-4xx", "smtp-banner-5xx" or "smtp-banner-unexpected", a HELO reply other
  // than 250 as "smtp-helo-4xx", "smtp-helo-5xx" or "smtp-helo-unexpected"; the detail
  // has the code and text.
  Step OnReply(const Reply& r);
  Phase phase() const { return phase_; }

 private:
  std::string helo_;
  Phase phase_ = Phase::kBanner;
};

// A helo_name that can be sent: non-empty once defaulted, no CR, LF or NUL.
bool ValidHeloName(std::string_view name);

}  // namespace vigil::check::smtp
