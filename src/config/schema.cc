#include "config/schema.h"

namespace vigil::config {

void Printer::Line(const std::string& text) {
  out_.append(static_cast<size_t>(depth_) * 4, ' ');
  out_ += text;
  out_ += '\n';
}

void Printer::Open(const std::string& header) {
  Line(header + " {");
  ++depth_;
}

void Printer::Close() {
  --depth_;
  Line("}");
}

std::string QuoteWord(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t{}\"#!") == std::string::npos) return w;
  return "\"" + w + "\"";
}

std::string Text(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    out += QuoteWord(words[i]);
  }
  return out;
}

std::string HeaderName(const Node& n, Ctx& ctx) {
  if (n.argc() < 1) {
    ctx.diags.Error(n.loc(), "'" + n.keyword() + "' needs a name");
    return {};
  }
  return n.arg(0).text;
}

bool NeedArgs(const Node& n, size_t count, Ctx& ctx, std::string_view what) {
  if (n.argc() >= count) return true;
  base::SourceLoc loc = n.loc();
  loc.column += static_cast<int>(n.keyword().size()) + 1;
  ctx.diags.Error(loc, "'" + n.keyword() + "' needs " + std::string(what));
  return false;
}

void ExtraArgs(const Node& n, size_t used, Ctx& ctx) {
  if (n.argc() > used) {
    ctx.diags.Note(n.arg(used).loc,
                   "extra argument '" + n.arg(used).text + "' after '" + n.keyword() + "' ignored");
  }
}

std::optional<int64_t> ArgInt(const Node& n, size_t i, int64_t lo, int64_t hi, Ctx& ctx) {
  const Word& w = n.arg(i);
  auto v = base::ParseInt(w.text);
  if (!v) {
    ctx.diags.Error(w.loc, "'" + n.keyword() + "': '" + w.text + "' is not a number");
    return std::nullopt;
  }
  if (*v < lo || *v > hi) {
    ctx.diags.Error(w.loc, "'" + n.keyword() + "': " + w.text + " is outside the range [" +
                               std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return std::nullopt;
  }
  return v;
}

std::optional<base::Duration> ArgSeconds(const Node& n, size_t i, Ctx& ctx) {
  const Word& w = n.arg(i);
  auto v = base::ParseSeconds(w.text);
  if (!v) {
    ctx.diags.Error(
        w.loc, "'" + n.keyword() + "': '" + w.text + "' is not a time in seconds (e.g. 1 or 0.5)");
  }
  return v;
}

std::optional<bool> ArgBoolOr(const Node& n, size_t i, bool if_absent, Ctx& ctx) {
  if (n.argc() <= i) return if_absent;
  auto v = base::ParseBool(n.arg(i).text);
  if (!v) {
    ctx.diags.Error(n.arg(i).loc, "'" + n.keyword() + "': '" + n.arg(i).text +
                                      "' is not one of on|off|true|false|yes|no");
  }
  return v;
}

std::optional<base::IpAddress> ArgIp(const Node& n, size_t i, Ctx& ctx) {
  const Word& w = n.arg(i);
  auto a = base::IpAddress::Parse(w.text);
  if (!a) ctx.diags.Error(w.loc, "'" + n.keyword() + "': '" + w.text + "' is not an IP address");
  return a;
}

std::optional<std::vector<std::string>> SplitCommand(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == '\'') {
      if (c == '\'') {
        quote = 0;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '\\' && i + 1 < s.size()) {
      char e = s[++i];
      have = true;
      switch (e) {
        case 'a':
          cur += '\a';
          break;
        case 'b':
          cur += '\b';
          break;
        case 'E':
          cur += '\x1b';
          break;
        case 'f':
          cur += '\f';
          break;
        case 'n':
          cur += '\n';
          break;
        case 'r':
          cur += '\r';
          break;
        case 't':
          cur += '\t';
          break;
        case 'v':
          cur += '\v';
          break;
        case 'c':
          if (i + 1 < s.size()) cur += static_cast<char>(s[++i] & 0x1f);
          break;
        case 'x': {
          int v = 0, k = 0;
          while (i + 1 < s.size() && k < 2 && std::isxdigit(static_cast<unsigned char>(s[i + 1]))) {
            char h = s[++i];
            v = v * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            ++k;
          }
          cur += static_cast<char>(v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            int v = e - '0', k = 1;
            while (i + 1 < s.size() && k < 3 && s[i + 1] >= '0' && s[i + 1] <= '7') {
              v = v * 8 + (s[++i] - '0');
              ++k;
            }
            cur += static_cast<char>(v);
          } else {
            cur += e;
          }
      }
      continue;
    }
    if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      have = true;
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (have) out.push_back(std::move(cur));
      cur.clear();
      have = false;
      continue;
    }
    cur += c;
    have = true;
  }
  if (quote) return std::nullopt;
  if (have) out.push_back(std::move(cur));
  return out;
}

std::optional<model::Script> ArgScript(const Node& n, size_t first, Ctx& ctx) {
  const Word& w = n.arg(first);
  auto argv = SplitCommand(w.text);
  if (!argv) {
    ctx.diags.Error(w.loc, "'" + n.keyword() + "': unterminated quote in script '" + w.text + "'");
    return std::nullopt;
  }
  if (argv->empty()) {
    ctx.diags.Error(w.loc, "'" + n.keyword() + "': empty script");
    return std::nullopt;
  }
  model::Script s;
  s.argv = std::move(*argv);
  if (n.argc() > first + 1) s.user = n.arg(first + 1).text;
  if (n.argc() > first + 2) {
    s.group = n.arg(first + 2).text;
    if (!s.group.empty() && s.group[0] == ':') s.group.erase(0, 1);
  }
  ExtraArgs(n, first + 3, ctx);
  return s;
}

namespace {

// Quotes one argv element for the inside of a double-quoted command string.
std::string ShellQuote(const std::string& a) {
  bool plain = !a.empty();
  for (char c : a) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7f || c == '\'' || c == '"' || c == '\\' || c == '#' || c == '!' ||
        c == '{' || c == '}') {
      plain = false;
    }
  }
  if (plain) return a;
  std::string out;
  for (char c : a) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '#' || c == '!') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", u);
      out += buf;
    } else if (c == '\\' || c == '\'' || c == ' ' || c == '{' || c == '}') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  if (out.empty()) out = "''";
  return out;
}

}  // namespace

std::string ScriptText(const model::Script& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.argv.size(); ++i) {
    if (i) out += ' ';
    out += ShellQuote(s.argv[i]);
  }
  out += '"';
  if (!s.user.empty()) out.append(" ").append(QuoteWord(s.user));
  if (!s.group.empty()) out.append(" ").append(QuoteWord(s.group));
  return out;
}

void DumpExtra(const model::ExtraOptions& extra, Printer& p) {
  for (const auto& words : extra) p.Line(Text(words));
}

}  // namespace vigil::config
