#include "base/diagnostics.h"

namespace vigil::base {

std::string SourceLoc::ToString() const {
  if (!file) return "<unknown>";
  std::string s = *file;
  if (line > 0) {
    s += ':' + std::to_string(line);
    if (column > 0) s += ':' + std::to_string(column);
  }
  return s;
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
    case Severity::kFatal:
      return "fatal";
  }
  return "?";
}

std::string Diagnostic::ToString() const {
  std::string where = loc.file ? loc.ToString() + ": " : "";
  return where + SeverityName(severity) + ": " + message;
}

void Diagnostics::Add(Severity s, const SourceLoc& loc, std::string message, DiagKind kind) {
  if (items_.size() == kMaxItems) {
    // Keep the count, the worst severity and the kinds, but not an unbounded list.
    items_.push_back(
        Diagnostic{Severity::kNote, loc, "further diagnostics are not listed", DiagKind::kGeneral});
  }
  if (items_.size() > kMaxItems) {
    ++suppressed_;
    Diagnostic& last = items_.back();
    if (s > last.severity) last.severity = s;
    if (kind != DiagKind::kGeneral) last.kind = kind;
    last.message = std::to_string(suppressed_) + " further diagnostics are not listed";
    return;
  }
  items_.push_back(Diagnostic{s, loc, std::move(message), kind});
}

bool Diagnostics::HasAtLeast(Severity s) const {
  for (const auto& d : items_) {
    if (d.severity >= s) return true;
  }
  return false;
}

bool Diagnostics::HasKind(DiagKind k) const {
  for (const auto& d : items_) {
    if (d.kind == k) return true;
  }
  return false;
}

}  // namespace vigil::base
