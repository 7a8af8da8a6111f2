// The block tree: keepalived.conf as nested statements, before any keyword has a meaning.
//
// A statement is the words of one logical line; a statement followed by '{' (on the same line
// or alone on the next line) owns a block of child statements up to the matching '}'. Every
// word keeps its file, line and column so that later stages can point at the exact token.
#pragma once

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

// Splits logical lines into words and braces and builds the tree. Unterminated quotes,
// unexpected or extra '}' and missing '}' are reported; the tree is still returned so that
// later stages can report what else is wrong.
std::vector<Node> BuildTree(const std::vector<LogicalLine>& lines, base::Diagnostics& diags);

}  // namespace vigil::config
