// Diagnostics: what the configuration pipeline says about an input, classified the way
// keepalived classifies it so that `vigild -t` can return keepalived's exit codes.
#pragma once

#include <string>
#include <vector>

#include "base/source_loc.h"

namespace vigil::base {

enum class Severity {
  kNote,     // informational; never changes an exit code (e.g. "accepted, honoured later")
  kWarning,  // keepalived's CONFIG error class: reported, parsing continues, `-t` exits 5
  kError,    // an invalid value or structure: reported, the item is dropped, `-t` exits 5
  kFatal,    // the configuration cannot run at all (missing main file): `-t` exits 4
};

// What kind of problem it is. kScriptSecurity has its own exit code (6); kMissingInclude
// marks a plain `include` that found nothing, which -e/--all-config turns into an error.
enum class DiagKind { kGeneral, kScriptSecurity, kMissingInclude };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;
  DiagKind kind = DiagKind::kGeneral;

  // "file:line:col: warning: message"
  std::string ToString() const;
};

const char* SeverityName(Severity s);

// An append-only list of diagnostics with the queries the exit-code logic needs.
class Diagnostics {
 public:
  void Add(Severity s, const SourceLoc& loc, std::string message,
           DiagKind kind = DiagKind::kGeneral);
  void Note(const SourceLoc& loc, std::string m) { Add(Severity::kNote, loc, std::move(m)); }
  void Warn(const SourceLoc& loc, std::string m) { Add(Severity::kWarning, loc, std::move(m)); }
  void Error(const SourceLoc& loc, std::string m) { Add(Severity::kError, loc, std::move(m)); }
  void Fatal(const SourceLoc& loc, std::string m) { Add(Severity::kFatal, loc, std::move(m)); }

  const std::vector<Diagnostic>& all() const { return items_; }
  bool HasAtLeast(Severity s) const;
  bool HasKind(DiagKind k) const;
  size_t size() const { return items_.size(); }

 private:
  // A hostile or badly generated file can produce millions of problems; beyond this many
  // only a count is kept, in one last item that carries the worst severity seen.
  static constexpr size_t kMaxItems = 10000;
  std::vector<Diagnostic> items_;
  size_t suppressed_ = 0;
};

}  // namespace vigil::base
