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

TreeBuilder::TreeBuilder(base::Diagnostics& diags, NodeSink sink)
    : diags_(diags), sink_(std::move(sink)) {}

// A finished statement at the current level: top-level ones wait in pending_top_ (a '{' on
// the next line may still claim them) and are handed on when the next one starts.
void TreeBuilder::Complete(Node&& n) {
  if (!levels_.empty()) {
    levels_.back().push_back(std::move(n));
    return;
  }
  if (pending_top_) sink_(std::move(*pending_top_));
  pending_top_ = std::move(n);
}

// The innermost open block is complete: its statements become the owner's children.
void TreeBuilder::CloseBlock() {
  Node owner = std::move(owners_.back());
  owners_.pop_back();
  owner.children = std::move(levels_.back());
  levels_.pop_back();
  opens_.pop_back();
  if (owner.keyword() != "{") Complete(std::move(owner));  // "{" owns an ignored block
}

void TreeBuilder::Feed(const LogicalLine& line) {
  std::vector<Token> toks;
  Lex(line, toks, diags_);
  bool line_has_node = false;  // a statement started on this line is still open for words
  auto current_last = [&]() -> Node* {
    if (!levels_.empty()) return levels_.back().empty() ? nullptr : &levels_.back().back();
    return pending_top_ ? &*pending_top_ : nullptr;
  };
  for (auto& t : toks) {
    switch (t.kind) {
      case TokKind::kWord:
        if (line_has_node) {
          current_last()->words.push_back(std::move(t.word));
        } else {
          Node n;
          n.words.push_back(std::move(t.word));
          Complete(std::move(n));
          line_has_node = true;
        }
        last_can_open_ = false;
        break;
      case TokKind::kOpen: {
        Node owner;
        Node* last = current_last();
        if ((line_has_node || last_can_open_) && last) {
          owner = std::move(*last);
          if (!levels_.empty()) {
            levels_.back().pop_back();
          } else {
            pending_top_.reset();
          }
        } else {
          diags_.Error(t.word.loc, "'{' without a keyword before it; block ignored");
          owner.words.push_back(Word{"{", t.word.loc, false});
        }
        owner.has_block = true;
        owner.block_loc = t.word.loc;
        owners_.push_back(std::move(owner));
        levels_.emplace_back();
        opens_.push_back(t.word.loc);
        line_has_node = false;
        last_can_open_ = false;
        break;
      }
      case TokKind::kClose: {
        line_has_node = false;
        last_can_open_ = false;
        if (levels_.empty()) {
          diags_.Error(t.word.loc, "extra '}' with no block open; ignored");
          break;
        }
        CloseBlock();
        break;
      }
    }
  }
  // A statement that ended this line may still be followed by '{' on the next line.
  Node* last = current_last();
  last_can_open_ = line_has_node && last && !last->has_block;
}

void TreeBuilder::Finish() {
  while (!levels_.empty()) {
    diags_.Error(opens_.back(), "missing '}': block '" + owners_.back().keyword() +
                                    "' opened here is never closed");
    CloseBlock();
  }
  if (pending_top_) sink_(std::move(*pending_top_));
  pending_top_.reset();
}

std::vector<Node> BuildTree(const std::vector<LogicalLine>& lines, base::Diagnostics& diags) {
  std::vector<Node> out;
  TreeBuilder b(diags, [&out](Node&& n) { out.push_back(std::move(n)); });
  for (const auto& l : lines) b.Feed(l);
  b.Finish();
  return out;
}

}  // namespace vigil::config
