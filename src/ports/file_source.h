// FileSource: the configuration pipeline's only way to reach files. The OS layer implements it
// over the real filesystem; tests use an in-memory map.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vigil::ports {

class FileSource {
 public:
  virtual ~FileSource() = default;

  // Reads the whole regular file at `path`. On failure returns nullopt and sets *error to a
  // short reason ("No such file or directory", "file too large", ...).
  virtual std::optional<std::string> Read(const std::string& path, std::string* error) = 0;

  // Expands a glob pattern (shell wildcards and csh-style {a,b} braces). Returns the matching
  // paths in sorted order; an empty vector when nothing matches.
  virtual std::vector<std::string> Glob(const std::string& pattern) = 0;

  // A stable identity for `path` (the resolved real path), used to detect include cycles.
  virtual std::string Canonical(const std::string& path) = 0;
};

}  // namespace vigil::ports
