// The block tree: keepalived.conf as nested statements, before any keyword has a meaning.
//
// A statement is the words of one logical line; a statement followed by '{' (on the same line
// or alone on the next line) owns a block of child statements up to the matching '}'. Every
// word keeps its file, line and column so that later stages can point at the exact token.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "config/preprocess.h"

namespace vigil::config {

struct Word {
  std::string text;  // quotes removed
  base::SourceLoc loc;
  bool quoted = false;
};

struct Node {
  std::vector<Word> words;  // never empty; words[0] is the keyword
  bool has_block = false;
  base::SourceLoc block_loc;  // the '{'
  std::vector<Node> children;

  const std::string& keyword() const { return words[0].text; }
  const base::SourceLoc& loc() const { return words[0].loc; }
  size_t argc() const { return words.size() - 1; }
  const Word& arg(size_t i) const { return words[i + 1]; }
};

// Builds the tree line by line and hands each completed top-level statement to a callback,
// so that only one top-level block is held in memory at a time.
class TreeBuilder {
 public:
  using NodeSink = std::function<void(Node&&)>;
  TreeBuilder(base::Diagnostics& diags, NodeSink sink);
  void Feed(const LogicalLine& line);
  // Reports blocks left open and flushes what is pending.
  void Finish();

 private:
  void Complete(Node&& n);
  void CloseBlock();
  base::Diagnostics& diags_;
  NodeSink sink_;
  std::vector<std::vector<Node>> levels_;  // children being collected, one per open block
  std::vector<Node> owners_;               // the statement that opened each open block
  std::vector<base::SourceLoc> opens_;
  bool last_can_open_ = false;
  std::optional<Node> pending_top_;  // last top-level statement; may still take a '{'
};

// Splits logical lines into words and braces and builds the tree. Unterminated quotes,
// unexpected or extra '}' and missing '}' are reported; the tree is still returned so that
// later stages can report what else is wrong.
std::vector<Node> BuildTree(const std::vector<LogicalLine>& lines, base::Diagnostics& diags);

}  // namespace vigil::config
