// Keyword tables: one row per keyword says how to read it into a model value and how to print
// it back in canonical keepalived syntax. Parsing and dumping share the table, so a keyword
// cannot be read without also being dumped (the round-trip test relies on this).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "base/diagnostics.h"
#include "base/ip.h"
#include "base/strings.h"
#include "config/tree.h"
#include "model/config.h"

namespace vigil::config {

// Accumulates canonical keepalived.conf text with indentation.
class Printer {
 public:
  void Line(const std::string& text);
  void Open(const std::string& header);  // "header {"
  void Close();                          // "}"
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
  int depth_ = 0;
};

// Quotes a word for the canonical dump when it contains spaces, braces, quotes or comment
// characters (or is empty).
std::string QuoteWord(const std::string& w);

struct Ctx {
  base::Diagnostics& diags;
  bool mask_secrets = true;  // only affects dumping
};

template <class T>
struct Field {
  std::string_view keyword;
  std::function<void(T&, const Node&, Ctx&)> parse;
  std::function<void(const T&, Printer&)> dump;  // null for aliases printed by their canonical
  std::string_view note;  // non-empty: a note is emitted once per use (who will honour it)
  // non-empty: the keyword is deprecated in favour of this one. keepalived's -t reports
  // deprecated keywords as config errors, so a warning is emitted (exit 5).
  std::string_view replacement = {};
};

// Emits the note or deprecation warning attached to a keyword row, at the keyword.
template <class T>
void Announce(const Field<T>& f, const Node& n, Ctx& ctx) {
  if (!f.replacement.empty()) {
    ctx.diags.Warn(n.loc(), "'" + n.keyword() + "' is deprecated; use '" +
                                std::string(f.replacement) + "' instead");
  } else if (!f.note.empty()) {
    ctx.diags.Note(n.loc(), "'" + n.keyword() + "' is accepted and stored; " + std::string(f.note));
  }
}

// A row whose own keyword is deprecated: it is stored and printed as written, and warned about.
template <class T>
Field<T> MarkDeprecated(Field<T> f, std::string_view replacement) {
  f.replacement = replacement;
  return f;
}

// The same row under a deprecated keyword: parses like `f`, warns, prints nothing (the
// canonical keyword's row prints the value).
template <class T>
Field<T> Deprecated(std::string_view kw, const Field<T>& f) {
  return Field<T>{kw, f.parse, nullptr, {}, f.keyword};
}

template <class T>
class Schema {
 public:
  Schema(std::string_view block, std::vector<Field<T>> fields)
      : block_(block), fields_(std::move(fields)) {
    for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].keyword, i);
  }
  const Field<T>* Find(std::string_view kw) const {
    auto it = index_.find(kw);
    return it == index_.end() ? nullptr : &fields_[it->second];
  }
  std::string_view block() const { return block_; }
  const std::vector<Field<T>>& fields() const { return fields_; }

 private:
  std::string_view block_;
  std::vector<Field<T>> fields_;
  std::unordered_map<std::string_view, size_t> index_;
};

// Parses every child statement of `owner` with `schema`; unknown keywords warn (keepalived's
// "Unknown keyword") and are skipped with their blocks.
template <class T>
void ParseChildren(T& obj, const Node& owner, const Schema<T>& schema, Ctx& ctx) {
  for (const auto& child : owner.children) {
    const Field<T>* f = schema.Find(child.keyword());
    if (!f) {
      ctx.diags.Warn(child.loc(), "unknown keyword '" + child.keyword() + "' in " +
                                      std::string(schema.block()) + "; ignored");
      continue;
    }
    Announce(*f, child, ctx);
    f->parse(obj, child, ctx);
  }
}

template <class T>
void DumpFields(const T& obj, const Schema<T>& schema, Printer& p) {
  for (const auto& f : schema.fields()) {
    if (f.dump) f.dump(obj, p);
  }
}

// The NAME after a block keyword ("vrrp_instance NAME {"); reported when missing.
std::string HeaderName(const Node& n, Ctx& ctx);

// A named block ("vrrp_script NAME { ... }"): the name, where it was written, and its body.
// `T` needs `name` and `loc` members. A missing name is reported.
template <class T>
T LowerNamed(const Node& n, const Schema<T>& schema, Ctx& ctx) {
  T obj;
  obj.name = HeaderName(n, ctx);
  obj.loc = n.loc();
  ParseChildren(obj, n, schema, ctx);
  return obj;
}

// Prints "keyword NAME {", the fields, "}".
template <class T>
void DumpNamed(std::string_view keyword, const T& obj, const Schema<T>& schema, Printer& p) {
  p.Open(std::string(keyword) + " " + QuoteWord(obj.name));
  DumpFields(obj, schema, p);
  p.Close();
}

// ---- argument helpers (all report at the offending word's column) ----

// Requires at least `n` arguments; reports "KW needs ..." otherwise.
bool NeedArgs(const Node& n, size_t count, Ctx& ctx, std::string_view what = "a value");
void ExtraArgs(const Node& n, size_t used, Ctx& ctx);
std::optional<int64_t> ArgInt(const Node& n, size_t i, int64_t lo, int64_t hi, Ctx& ctx);
std::optional<base::Duration> ArgSeconds(const Node& n, size_t i, Ctx& ctx);
std::optional<bool> ArgBoolOr(const Node& n, size_t i, bool if_absent, Ctx& ctx);
std::optional<base::IpAddress> ArgIp(const Node& n, size_t i, Ctx& ctx);
// Script keywords: shell-style split of the (quoted) command, then optional USER [GROUP].
std::optional<model::Script> ArgScript(const Node& n, size_t first, Ctx& ctx);
std::string ScriptText(const model::Script& s);  // canonical dump form of a script

// Splits a command string the way keepalived does for script keywords: '...' and "..." with
// concatenation, backslash escapes \a \b \E \f \n \r \t \v \nnn \xXX \cC. nullopt when a
// quote is not closed.
std::optional<std::vector<std::string>> SplitCommand(std::string_view s);

// ---- value printing ----
inline std::string Text(int64_t v) { return std::to_string(v); }
inline std::string Text(int v) { return std::to_string(v); }
inline std::string Text(const std::string& v) { return QuoteWord(v); }
inline std::string Text(base::Duration d) { return base::FormatSeconds(d); }
inline std::string Text(const base::IpAddress& a) { return a.ToString(); }
inline std::string Text(bool b) { return b ? "true" : "false"; }
inline std::string Text(const model::Script& s) { return ScriptText(s); }
std::string Text(const std::vector<std::string>& words);

template <class V>
struct Unwrap {
  using type = V;
};
template <class V>
struct Unwrap<std::optional<V>> {
  using type = V;
};

// ---- field factories ----

// An integer in [lo, hi] (int or optional<int> member).
template <class T, class M>
Field<T> Int(std::string_view kw, M T::*m, int64_t lo, int64_t hi, std::string_view note = {}) {
  return Field<T>{kw,
                  [m, lo, hi](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c)) return;
                    if (auto v = ArgInt(n, 0, lo, hi, c)) o.*m = static_cast<int>(*v);
                    ExtraArgs(n, 1, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    static const T d{};
                    if (o.*m == d.*m) return;
                    if constexpr (std::is_same_v<M, std::optional<int>>) {
                      p.Line(std::string(kw) + " " + Text(*(o.*m)));
                    } else {
                      p.Line(std::string(kw) + " " + Text(o.*m));
                    }
                  },
                  note};
}

// Decimal seconds (Duration or optional<Duration>).
template <class T, class M>
Field<T> Seconds(std::string_view kw, M T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c)) return;
                    if (auto v = ArgSeconds(n, 0, c)) o.*m = *v;
                    ExtraArgs(n, 1, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    static const T d{};
                    if (o.*m == d.*m) return;
                    if constexpr (std::is_same_v<M, std::optional<base::Duration>>) {
                      p.Line(std::string(kw) + " " + Text(*(o.*m)));
                    } else {
                      p.Line(std::string(kw) + " " + Text(o.*m));
                    }
                  },
                  note};
}

// A keyword without arguments that sets a bool member to true.
template <class T>
Field<T> Flag(std::string_view kw, bool T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    o.*m = true;
                    ExtraArgs(n, 0, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (o.*m) p.Line(std::string(kw));
                  },
                  note};
}

// A keyword with an optional <BOOL> argument (absent = true) into bool or optional<bool>.
template <class T, class M>
Field<T> Bool(std::string_view kw, M T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (auto v = ArgBoolOr(n, 0, true, c)) o.*m = *v;
                    ExtraArgs(n, 1, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    static const T d{};
                    if (o.*m == d.*m) return;
                    bool v;
                    if constexpr (std::is_same_v<M, std::optional<bool>>) {
                      v = *(o.*m);
                    } else {
                      v = o.*m;
                    }
                    p.Line(v ? std::string(kw) : std::string(kw) + " false");
                  },
                  note};
}

// One word into a std::string member.
template <class T>
Field<T> Word1(std::string_view kw, std::string T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c)) return;
                    o.*m = n.arg(0).text;
                    ExtraArgs(n, 1, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (!(o.*m).empty()) p.Line(std::string(kw) + " " + QuoteWord(o.*m));
                  },
                  note};
}

// All remaining words joined by single spaces into a std::string member ("USER GROUP").
template <class T>
Field<T> Words(std::string_view kw, std::string T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c)) return;
                    std::vector<std::string> w;
                    for (size_t i = 0; i < n.argc(); ++i) w.push_back(n.arg(i).text);
                    o.*m = base::Join(w, " ");
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (!(o.*m).empty()) p.Line(std::string(kw) + " " + o.*m);
                  },
                  note};
}

// An IP address into optional<IpAddress>.
template <class T>
Field<T> Ip(std::string_view kw, std::optional<base::IpAddress> T::*m, std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c, "an IP address")) return;
                    if (auto a = ArgIp(n, 0, c)) o.*m = *a;
                    ExtraArgs(n, 1, c);
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (o.*m) p.Line(std::string(kw) + " " + (o.*m)->ToString());
                  },
                  note};
}

// A script keyword into optional<Script>.
template <class T>
Field<T> ScriptField(std::string_view kw, std::optional<model::Script> T::*m,
                     std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    if (!NeedArgs(n, 1, c, "a script")) return;
                    if (auto s = ArgScript(n, 0, c)) o.*m = std::move(*s);
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (o.*m) p.Line(std::string(kw) + " " + ScriptText(*(o.*m)));
                  },
                  note};
}

// Keyword with free arguments kept as words in optional<vector<string>> (may be empty).
template <class T>
Field<T> OptWords(std::string_view kw, std::optional<std::vector<std::string>> T::*m,
                  std::string_view note = {}) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx&) {
                    std::vector<std::string> w;
                    for (size_t i = 0; i < n.argc(); ++i) w.push_back(n.arg(i).text);
                    o.*m = std::move(w);
                  },
                  [m, kw](const T& o, Printer& p) {
                    if (!(o.*m)) return;
                    std::string line(kw);
                    if (!(o.*m)->empty()) line += " " + Text(*(o.*m));
                    p.Line(line);
                  },
                  note};
}

// A keyword stored verbatim in an ExtraOptions member and printed back as written.
template <class T>
Field<T> Raw(std::string_view kw, model::ExtraOptions T::*m, std::string_view note) {
  return Field<T>{kw,
                  [m](T& o, const Node& n, Ctx& c) {
                    std::vector<std::string> w;
                    for (const auto& word : n.words) w.push_back(word.text);
                    if (n.has_block) {
                      c.diags.Note(n.block_loc, "the block of '" + n.keyword() +
                                                    "' is kept only as its first line's words");
                      for (const auto& ch : n.children) {
                        for (const auto& word : ch.words) w.push_back(word.text);
                      }
                    }
                    (o.*m).push_back(std::move(w));
                  },
                  nullptr, note};
}

// An alias: parses like `target` (whose row prints it under the canonical name).
template <class T>
Field<T> Alias(std::string_view kw, const Field<T>& target, std::string_view note = {}) {
  return Field<T>{kw, target.parse, nullptr, note};
}

// A row of a boxed sub-structure (model::Boxed<U> member of T), parsed and printed in place.
template <class T, class U>
Field<T> InBox(model::Boxed<U> T::*box, const Field<U>& f) {
  auto parse = f.parse;
  auto dump = f.dump;
  std::function<void(const T&, Printer&)> boxed_dump;
  if (dump) {
    boxed_dump = [box, dump](const T& o, Printer& p) { dump((o.*box).get(), p); };
  }
  return Field<T>{f.keyword,
                  [box, parse](T& o, const Node& n, Ctx& c) { parse((o.*box).mut(), n, c); },
                  boxed_dump, f.note, f.replacement};
}

// Prints ExtraOptions entries whose keyword is one of `schema`'s Raw rows, in stored order.
void DumpExtra(const model::ExtraOptions& extra, Printer& p);

}  // namespace vigil::config
