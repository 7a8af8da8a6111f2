#include "config/tree.h"

namespace vigil::config {
namespace {

enum class TokKind { kWord, kOpen, kClose };

struct Token {
  TokKind kind;
  Word word;
};

void Lex(const LogicalLine& line, std::vector<Token>& out, base::Diagnostics& diags) {
  const std::string& s = line.text;
  size_t i = 0;
  auto loc_at = [&](size_t pos) {
    base::SourceLoc l = line.loc;
    l.column = line.loc.column + static_cast<int>(pos);
    return l;
  };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
      ++i;
      continue;
    }
    if (c == '{' || c == '}') {
      out.push_back(Token{c == '{' ? TokKind::kOpen : TokKind::kClose,
                          Word{std::string(1, c), loc_at(i), false}});
      ++i;
      continue;
    }
    Word w{{}, loc_at(i), false};
    bool in_quote = false;
    size_t quote_start = 0;
    while (i < s.size()) {
      char d = s[i];
      if (d == '"') {
        in_quote = !in_quote;
        w.quoted = true;
        quote_start = i;
        ++i;
        continue;
      }
      if (!in_quote && (d == ' ' || d == '\t' || d == '{' || d == '}' || d == '\r')) break;
      w.text += d;
      ++i;
    }
    if (in_quote) {
      diags.Error(loc_at(quote_start), "unterminated quote");
    }
    out.push_back(Token{TokKind::kWord, std::move(w)});
  }
}

}  // namespace

std::vector<Node> BuildTree(const std::vector<LogicalLine>& lines, base::Diagnostics& diags) {
  struct Level {
    std::vector<Node> nodes;
    base::SourceLoc open;
  };
  std::vector<Level> stack(1);
  std::vector<Node> owners;  // the statement that opened each nested level
  // Whether the last node at the current level may still take a '{' from the next line.
  bool last_can_open = false;
  std::vector<Token> toks;
  for (const auto& line : lines) {
    toks.clear();
    Lex(line, toks, diags);
    bool line_has_node = false;  // a statement started on this line is still open for words
    for (auto& t : toks) {
      auto& level = stack.back().nodes;
      switch (t.kind) {
        case TokKind::kWord:
          if (line_has_node) {
            level.back().words.push_back(std::move(t.word));
          } else {
            Node n;
            n.words.push_back(std::move(t.word));
            level.push_back(std::move(n));
            line_has_node = true;
          }
          last_can_open = false;
          break;
        case TokKind::kOpen: {
          Node owner;
          if (line_has_node || last_can_open) {
            owner = std::move(level.back());
            level.pop_back();
          } else {
            diags.Error(t.word.loc, "'{' without a keyword before it; block ignored");
            owner.words.push_back(Word{"{", t.word.loc, false});
          }
          owner.has_block = true;
          owner.block_loc = t.word.loc;
          owners.push_back(std::move(owner));
          stack.push_back(Level{{}, t.word.loc});
          line_has_node = false;
          last_can_open = false;
          break;
        }
        case TokKind::kClose:
          line_has_node = false;
          last_can_open = false;
          if (stack.size() == 1) {
            diags.Error(t.word.loc, "extra '}' with no block open; ignored");
            break;
          }
          {
            Node owner = std::move(owners.back());
            owners.pop_back();
            owner.children = std::move(stack.back().nodes);
            stack.pop_back();
            if (owner.keyword() != "{") stack.back().nodes.push_back(std::move(owner));
          }
          break;
      }
    }
    // A statement that ended this line may still be followed by '{' on the next line.
    last_can_open = line_has_node && !stack.back().nodes.empty() &&
                    !stack.back().nodes.back().has_block;
  }
  while (stack.size() > 1) {
    diags.Error(stack.back().open, "missing '}': block '" + owners.back().keyword() +
                                       "' opened here is never closed");
    Node owner = std::move(owners.back());
    owners.pop_back();
    owner.children = std::move(stack.back().nodes);
    stack.pop_back();
    if (owner.keyword() != "{") stack.back().nodes.push_back(std::move(owner));
  }
  return std::move(stack.front().nodes);
}

}  // namespace vigil::config
