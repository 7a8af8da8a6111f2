#include "config/preprocess.h"

#include <map>
#include <memory>
#include <optional>
#include <set>

#include "base/strings.h"

namespace vigil::config {
namespace {

using base::SourceLoc;

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Removes a '#' or '!' comment outside double quotes; "\#" and "\!" become literal characters.
std::string StripComment(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  bool in_quote = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '#' || line[i + 1] == '!')) {
      out += line[++i];
      continue;
    }
    if (c == '"') in_quote = !in_quote;
    if (!in_quote && (c == '#' || c == '!')) break;
    out += c;
  }
  return out;
}

struct Definition {
  bool multiline = false;
  std::string value;               // single-line value
  std::vector<LogicalLine> lines;  // multi-line body
};

struct FileFrame {
  std::shared_ptr<const std::string> path;
  std::string dir;
  std::string canonical;
};

class Runner {
 public:
  Runner(ports::FileSource& files, const PreprocessOptions& opt, base::Diagnostics& diags,
         const LineSink& sink)
      : files_(files),
        opt_(opt),
        diags_(diags),
        sink_(sink),
        rng_(opt.random_seed ? opt.random_seed : 1) {}

  void Run(const std::string& main_path) {
    auto path = std::make_shared<const std::string>(main_path);
    std::string error;
    auto text = files_.Read(main_path, &error);
    if (!text) {
      diags_.Fatal(SourceLoc{path, 0, 0}, "cannot read configuration file: " + error);
      return;
    }
    ProcessFile(path, *text);
  }

 private:
  static std::string DirOf(const std::string& p) {
    size_t slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return p.substr(0, slash);
  }

  void ProcessFile(const std::shared_ptr<const std::string>& path, const std::string& text) {
    FileFrame frame{path, DirOf(*path), files_.Canonical(*path)};
    stack_.push_back(frame);
    size_t pos = 0;
    int line_no = 0;
    std::optional<std::string> capturing;  // name of a multi-line definition being read
    while (pos <= text.size() && !overflow_) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string_view phys(text.data() + pos, nl - pos);
      bool last = nl == text.size();
      pos = nl + 1;
      ++line_no;
      if (last && phys.empty()) break;
      SourceLoc loc{path, line_no, 1};
      if (phys.size() > opt_.max_line_bytes) {
        diags_.Warn(loc, "line too long (" + std::to_string(phys.size()) + " bytes, maximum " +
                             std::to_string(opt_.max_line_bytes) + "); line ignored");
        continue;
      }
      if (phys.find('\0') != std::string_view::npos) {
        diags_.Warn(loc, "line contains a NUL byte; line ignored");
        continue;
      }
      std::string stripped = StripComment(phys);
      std::string_view t = base::Trim(stripped);
      loc.column = t.empty() ? 1 : static_cast<int>(t.data() - stripped.data()) + 1;

      if (capturing) {
        // Blank and comment-only lines inside a multi-line definition are skipped (the
        // examples in keepalived.conf(5) have them).
        if (t.empty()) continue;
        bool more = !t.empty() && t.back() == '\\';
        std::string_view body = more ? base::Trim(t.substr(0, t.size() - 1)) : t;
        if (!body.empty() && *capturing != kDroppedDefinition) {
          defs_[*capturing].lines.push_back(LogicalLine{std::string(body), loc});
        }
        if (!more) capturing.reset();
        continue;
      }
      if (t.empty()) continue;
      if (HandleInclude(t, loc)) continue;
      if (auto name = MultilineStart(t, loc)) {
        capturing = *name;
        continue;
      }
      ProcessLine(std::string(t), loc, 0);
    }
    if (capturing) {
      diags_.Warn(SourceLoc{path, line_no, 0},
                  "a multi-line definition runs to the end of the file (its last line ends "
                  "with '\\')");
    }
    stack_.pop_back();
  }

  // "$NAME= \" (nothing after the '=' but the continuation) starts a multi-line definition.
  // Under a conditional that does not match, its lines are still consumed but not stored
  // (the returned name is then kDroppedDefinition).
  std::optional<std::string> MultilineStart(std::string_view t, const SourceLoc& loc) {
    std::string_view s = t;
    bool dropped = false;
    if (!s.empty() && s[0] == '@') {
      size_t sp = s.find_first_of(" \t");
      std::string_view rest = sp == std::string_view::npos ? "" : base::Trim(s.substr(sp));
      if (!IsMultilineHead(rest)) return std::nullopt;
      auto kept = ApplyConditional(s, loc);
      dropped = !kept;
      s = rest;
    }
    if (!IsMultilineHead(s)) return std::nullopt;
    if (dropped) return std::string(kDroppedDefinition);
    size_t i = 1;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    std::string name(s.substr(1, i - 1));
    defs_[name] = Definition{true, {}, {}};
    return name;
  }

  static constexpr std::string_view kDroppedDefinition = "";

  static bool IsMultilineHead(std::string_view s) {
    if (s.size() < 3 || s[0] != '$' || s.back() != '\\') return false;
    size_t i = 1;
    if (!IsNameStart(s[i])) return false;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return false;
    return base::Trim(s.substr(i + 1, s.size() - i - 2)).empty();
  }

  // Returns the rest of a conditional line if it is kept, nullopt if it is dropped.
  std::optional<std::string_view> ApplyConditional(std::string_view s, const SourceLoc& loc) {
    bool negate = s.size() > 1 && s[1] == '^';
    size_t start = negate ? 2 : 1;
    size_t end = start;
    while (end < s.size() && !IsSpace(s[end])) ++end;
    std::string_view id = s.substr(start, end - start);
    if (id.empty()) {
      diags_.Warn(loc, "conditional line without an id after '@'");
      return std::nullopt;
    }
    bool match = id == opt_.config_id;
    if (match == negate) return std::nullopt;
    return base::Trim(s.substr(end));
  }

  bool HandleInclude(std::string_view t, const SourceLoc& loc) {
    size_t sp = 0;
    while (sp < t.size() && !IsSpace(t[sp])) ++sp;
    std::string_view kw = t.substr(0, sp);
    static const char* const kKinds[] = {"include",  "includer", "includem",
                                         "includew", "includeb", "includea"};
    char kind = 0;
    for (const char* k : kKinds) {
      if (kw == k) kind = kw.size() == 7 ? ' ' : kw[7];
    }
    if (!kind) return false;
    std::string pattern(base::Trim(t.substr(sp)));
    if (pattern.size() >= 2 && pattern.front() == '"' && pattern.back() == '"') {
      pattern = pattern.substr(1, pattern.size() - 2);
    }
    if (pattern.empty()) {
      diags_.Error(loc, "'" + std::string(kw) + "' needs a file name or pattern");
      return true;
    }
    if (pattern[0] != '/') pattern = stack_.back().dir + "/" + pattern;
    auto matches = files_.Glob(pattern);
    if (matches.empty()) {
      std::string msg = "include '" + pattern + "' matched no file";
      // keepalived 2.2.7 rejects an includem that matches nothing, wildcard or not.
      bool strict = kind != ' ' && kind != 'r';
      if (strict) {
        diags_.Error(loc, msg);
      } else {
        // keepalived's plain `include` logs this and carries on without a config error.
        diags_.Add(base::Severity::kNote, loc,
                   msg + " (plain '" + std::string(kw) +
                       "' ignores this; use 'includea' or -e to make it an error)",
                   base::DiagKind::kMissingInclude);
      }
      return true;
    }
    for (const auto& m : matches) IncludeOne(m, kind, loc);
    return true;
  }

  void IncludeOne(const std::string& path, char kind, const SourceLoc& loc) {
    if (static_cast<int>(stack_.size()) >= opt_.max_include_depth) {
      diags_.Error(loc, "include depth exceeds " + std::to_string(opt_.max_include_depth) +
                            " at '" + path + "'");
      return;
    }
    std::string canon = files_.Canonical(path);
    for (const auto& f : stack_) {
      if (f.canonical == canon) {
        diags_.Error(loc, "include cycle: '" + path + "' is already being read");
        return;
      }
    }
    std::string error;
    auto text = files_.Read(path, &error);
    if (!text) {
      std::string msg = "cannot read included file '" + path + "': " + error;
      if (kind == ' ') {
        diags_.Add(base::Severity::kNote, loc, msg, base::DiagKind::kMissingInclude);
      } else {
        diags_.Error(loc, msg);
      }
      return;
    }
    ProcessFile(std::make_shared<const std::string>(path), *text);
  }

  void Emit(std::string text, const SourceLoc& loc) {
    if (emitted_ >= opt_.max_logical_lines) {
      if (!overflow_) {
        diags_.Fatal(loc, "configuration expands to more than " +
                              std::to_string(opt_.max_logical_lines) + " lines");
      }
      overflow_ = true;
      return;
    }
    ++emitted_;
    sink_(LogicalLine{std::move(text), loc});
  }

  void ProcessLine(std::string text, SourceLoc loc, int depth) {
    if (overflow_) return;
    // Every expansion step counts, emitted or not, so that no definition can make the
    // preprocessor work without bound.
    if (++steps_ > opt_.max_expansion_steps) {
      diags_.Fatal(loc, "configuration expansion exceeds " +
                            std::to_string(opt_.max_expansion_steps) +
                            " steps; are definitions or ~SEQ blocks recursive?");
      overflow_ = true;
      return;
    }
    if (depth > opt_.max_expansion_depth) {
      diags_.Error(loc, "definitions nest deeper than " + std::to_string(opt_.max_expansion_depth) +
                            " levels; line ignored");
      return;
    }
    std::string_view s = base::Trim(text);
    if (s.empty()) return;
    if (s[0] == '@') {
      auto kept = ApplyConditional(s, loc);
      if (!kept || kept->empty()) return;
      s = *kept;
    }
    if (s[0] == '$' && TryDefine(s)) return;
    if (base::StartsWith(s, "~SEQ") || base::StartsWith(s, "~LST")) {
      ExpandRepeat(std::string(s), loc, depth);
      return;
    }
    // A line that is just a multi-line definition's name expands to its lines.
    if (auto name = WholeLineReference(s)) {
      auto it = defs_.find(*name);
      if (it != defs_.end() && it->second.multiline) {
        if (expanding_.count(*name)) {
          diags_.Error(loc, "multi-line definition $" + *name + " uses itself; line ignored");
          return;
        }
        expanding_.insert(*name);
        auto lines = it->second.lines;  // copy: the body may redefine things while it expands
        for (auto& l : lines) ProcessLine(l.text, l.loc, depth + 1);
        expanding_.erase(*name);
        return;
      }
    }
    bool changed = false;
    auto substituted = Substitute(s, loc, &changed);
    if (!substituted) return;
    if (changed) {
      ProcessLine(std::move(*substituted), SourceLoc{loc.file, loc.line, 1}, depth + 1);
      return;
    }
    Emit(std::string(s), loc);
  }

  static std::optional<std::string> WholeLineReference(std::string_view s) {
    if (s.size() < 2 || s[0] != '$') return std::nullopt;
    std::string_view n = s.substr(1);
    if (n.size() >= 3 && n.front() == '{' && n.back() == '}') n = n.substr(1, n.size() - 2);
    if (n.empty() || !IsNameStart(n[0])) return std::nullopt;
    for (char c : n) {
      if (!IsNameChar(c)) return std::nullopt;
    }
    return std::string(n);
  }

  bool TryDefine(std::string_view s) {
    size_t i = 1;
    if (i >= s.size() || !IsNameStart(s[i])) return false;
    while (i < s.size() && IsNameChar(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return false;
    std::string name(s.substr(1, i - 1));
    defs_[name] = Definition{false, std::string(base::Trim(s.substr(i + 1))), {}};
    return true;
  }

  std::optional<std::string> Builtin(std::string_view name, std::string_view args) {
    if (name == "_PWD") return stack_.back().dir;
    if (name == "_INSTANCE") return opt_.config_id;
    if (name == "_ENV") {
      std::string var(base::Trim(args));
      if (!opt_.getenv || var.empty()) return std::string();
      return opt_.getenv(var).value_or("");
    }
    if (name == "_HASH") return std::string("#");
    if (name == "_BANG") return std::string("!");
    if (name == "_RANDOM") {
      uint64_t lo = 0, hi = 32767;
      std::string a(base::Trim(args));
      size_t sp = a.find(' ');
      if (!a.empty()) {
        if (auto v = base::ParseUint(a.substr(0, sp))) lo = *v;
        if (sp != std::string::npos) {
          if (auto v = base::ParseUint(base::Trim(std::string_view(a).substr(sp)))) hi = *v;
        }
      }
      if (hi < lo) hi = lo;
      rng_ = rng_ * 6364136223846793005ull + 1442695040888963407ull;
      return std::to_string(lo + (rng_ >> 33) % (hi - lo + 1));
    }
    return std::nullopt;
  }

  // Replaces $NAME (followed by whitespace or end) and ${NAME} / ${_BUILTIN args}. Undefined
  // names stay as they are. Returns nullopt (after a diagnostic) when the result grows too large.
  std::optional<std::string> Substitute(std::string_view s, const SourceLoc& loc, bool* changed) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
      if (s[i] != '$' || i + 1 >= s.size()) {
        out += s[i++];
        continue;
      }
      std::optional<std::string> value;
      size_t end = i;
      if (s[i + 1] == '{') {
        size_t close = s.find('}', i + 2);
        if (close != std::string_view::npos) {
          std::string_view inner = s.substr(i + 2, close - i - 2);
          size_t sp = inner.find(' ');
          std::string_view name = inner.substr(0, sp);
          auto it = defs_.find(std::string(inner));
          if (it != defs_.end() && !it->second.multiline) {
            value = it->second.value;
          } else if (!name.empty() && name[0] == '_') {
            value = Builtin(name, sp == std::string_view::npos ? "" : inner.substr(sp));
          }
          end = close + 1;
        }
      } else if (IsNameStart(s[i + 1])) {
        size_t j = i + 1;
        while (j < s.size() && IsNameChar(s[j])) ++j;
        if (j == s.size() || IsSpace(s[j])) {
          auto it = defs_.find(std::string(s.substr(i + 1, j - i - 1)));
          if (it != defs_.end() && !it->second.multiline) value = it->second.value;
          end = j;
        }
      }
      if (!value) {
        out += s[i++];
        continue;
      }
      out += *value;
      *changed = true;
      i = end;
      if (out.size() > opt_.max_expanded_bytes) {
        diags_.Error(loc, "line grows beyond " + std::to_string(opt_.max_expanded_bytes) +
                              " bytes after parameter substitution; line ignored");
        return std::nullopt;
      }
    }
    return out;
  }

  // ~SEQ(VAR, [START,] [STEP,] END) REST, ~SEQx(...), ~LST(VAR, v1, ...) or
  // ~LST({A,B}, {1,2}, ...) REST: expands REST once per value with the variables defined.
  void ExpandRepeat(const std::string& s, const SourceLoc& loc, int depth) {
    bool hex = base::StartsWith(s, "~SEQx(");
    bool seq = base::StartsWith(s, "~SEQ(") || hex;
    bool lst = base::StartsWith(s, "~LST(");
    if (!seq && !lst) {
      diags_.Error(loc, "unknown repeat directive '" + s.substr(0, s.find('(')) + "'");
      return;
    }
    size_t open = s.find('(');
    // Find the matching ')' allowing {...} groups inside.
    int brace = 0;
    size_t close = std::string::npos;
    for (size_t i = open + 1; i < s.size(); ++i) {
      if (s[i] == '{') ++brace;
      if (s[i] == '}') --brace;
      if (s[i] == ')' && brace == 0) {
        close = i;
        break;
      }
    }
    if (close == std::string::npos) {
      diags_.Error(loc, "missing ')' in " + std::string(seq ? "~SEQ" : "~LST"));
      return;
    }
    std::vector<std::string> args = SplitArgs(s.substr(open + 1, close - open - 1));
    std::string rest(base::Trim(std::string_view(s).substr(close + 1)));
    if (args.empty() || args[0].empty()) {
      diags_.Error(loc, "repeat directive without a variable name");
      return;
    }
    if (seq) {
      ExpandSeq(args, hex, rest, loc, depth);
    } else {
      ExpandList(args, rest, loc, depth);
    }
  }

  static std::vector<std::string> SplitArgs(std::string_view a) {
    std::vector<std::string> out;
    int brace = 0;
    std::string cur;
    for (char c : a) {
      if (c == '{') ++brace;
      if (c == '}') --brace;
      if (c == ',' && brace == 0) {
        out.emplace_back(base::Trim(cur));
        cur.clear();
        continue;
      }
      cur += c;
    }
    out.emplace_back(base::Trim(cur));
    return out;
  }

  static std::optional<int64_t> ParseSeqNumber(const std::string& t) {
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
      int64_t v = 0;
      for (size_t i = 2; i < t.size(); ++i) {
        char c = t[i];
        int h = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (h < 0 || v > (int64_t{1} << 40)) return std::nullopt;
        v = v * 16 + h;
      }
      return v;
    }
    return base::ParseInt(t);
  }

  void ExpandSeq(const std::vector<std::string>& a, bool hex, const std::string& rest,
                 const SourceLoc& loc, int depth) {
    std::vector<int64_t> n;
    for (size_t i = 1; i < a.size(); ++i) {
      auto v = ParseSeqNumber(a[i]);
      if (!v) {
        diags_.Error(loc, "~SEQ value '" + a[i] + "' is not a number");
        return;
      }
      n.push_back(*v);
    }
    if (n.empty() || n.size() > 3) {
      diags_.Error(loc, "~SEQ needs (VAR, [START,] [STEP,] END)");
      return;
    }
    int64_t end = n.back();
    int64_t start = n.size() >= 2 ? n[0] : (end >= 0 ? 1 : -1);
    int64_t step = n.size() == 3 ? n[1] : (end >= start ? 1 : -1);
    if (step == 0 || (step > 0 && start > end) || (step < 0 && start < end)) {
      diags_.Error(loc, "~SEQ with start " + std::to_string(start) + ", step " +
                            std::to_string(step) + " never reaches " + std::to_string(end));
      return;
    }
    uint64_t count = static_cast<uint64_t>((end - start) / step) + 1;
    if (count > opt_.max_logical_lines) {
      diags_.Error(loc, "~SEQ would repeat " + std::to_string(count) + " times; limit is " +
                            std::to_string(opt_.max_logical_lines));
      return;
    }
    for (int64_t v = start; step > 0 ? v <= end : v >= end; v += step) {
      char buf[32];
      std::snprintf(buf, sizeof buf, hex ? "%llx" : "%lld", static_cast<long long>(v));
      defs_[a[0]] = Definition{false, buf, {}};
      ProcessLine(rest, loc, depth + 1);
      if (overflow_) return;
    }
  }

  static std::vector<std::string> Ungroup(const std::string& g) {
    if (g.size() >= 2 && g.front() == '{' && g.back() == '}') {
      return SplitArgs(std::string_view(g).substr(1, g.size() - 2));
    }
    return {g};
  }

  void ExpandList(const std::vector<std::string>& a, const std::string& rest, const SourceLoc& loc,
                  int depth) {
    auto vars = Ungroup(a[0]);
    if (a.size() < 2) {
      diags_.Error(loc, "~LST needs at least one value");
      return;
    }
    for (size_t i = 1; i < a.size(); ++i) {
      auto values = Ungroup(a[i]);
      if (values.size() != vars.size()) {
        diags_.Error(loc, "~LST value group '" + a[i] + "' does not match " +
                              std::to_string(vars.size()) + " variable(s)");
        return;
      }
      for (size_t k = 0; k < vars.size(); ++k) defs_[vars[k]] = Definition{false, values[k], {}};
      ProcessLine(rest, loc, depth + 1);
      if (overflow_) return;
    }
  }

  ports::FileSource& files_;
  const PreprocessOptions& opt_;
  base::Diagnostics& diags_;
  const LineSink& sink_;
  uint64_t rng_;
  std::vector<FileFrame> stack_;
  std::map<std::string, Definition> defs_;
  size_t emitted_ = 0;
  size_t steps_ = 0;
  std::set<std::string> expanding_;  // multi-line definitions being expanded
  bool overflow_ = false;
};

}  // namespace

void Preprocess(const std::string& main_path, ports::FileSource& files,
                const PreprocessOptions& options, base::Diagnostics& diags, const LineSink& sink) {
  Runner(files, options, diags, sink).Run(main_path);
}

std::vector<LogicalLine> Preprocess(const std::string& main_path, ports::FileSource& files,
                                    const PreprocessOptions& options, base::Diagnostics& diags) {
  std::vector<LogicalLine> out;
  Preprocess(main_path, files, options, diags,
             [&out](LogicalLine&& l) { out.push_back(std::move(l)); });
  return out;
}

}  // namespace vigil::config
