// Where a piece of configuration text came from: file, line and column (1-based).
#pragma once

#include <memory>
#include <string>

namespace vigil::base {

struct SourceLoc {
  // Shared so that thousands of tokens from one file do not each copy its path.
  std::shared_ptr<const std::string> file;
  int line = 0;
  int column = 0;

  // "file:line:col", "file:line" when the column is unknown, "<unknown>" when nothing is.
  std::string ToString() const;
};

}  // namespace vigil::base
