// The keepalived.conf preprocessor: the text-level stage before tokens exist.
//
// It reads the main file and everything it includes, and turns physical lines into logical
// lines: comments removed, `include*` directives followed, `@id`/`@^id` conditional lines kept
// or dropped against the config id, `$NAME=VALUE` (and multi-line `$NAME= \`) definitions
// recorded and substituted, and `~SEQ(...)`, `~SEQx(...)`, `~LST(...)` lines expanded.
// Every logical line remembers where it came from.
//
// Limits (all reported as diagnostics, never crashes): physical lines over 1024 bytes and lines
// holding NUL bytes are ignored with a warning (keepalived's MAXBUF rule); include depth,
// include cycles (by canonical path), substitution depth, expanded line length, sequence
// length and the total number of logical lines are bounded.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "base/source_loc.h"
#include "ports/file_source.h"

namespace vigil::config {

struct LogicalLine {
  std::string text;
  // Where the line starts; `column` is that of text[0] in the physical line when no
  // substitution changed it (and of the line start otherwise).
  base::SourceLoc loc;
};

struct PreprocessOptions {
  std::string config_id;     // matched by @id lines; keepalived's default is the short hostname
  uint64_t random_seed = 1;  // for ${_RANDOM}
  // For ${_ENV NAME}; unset means every variable is empty (pure code reads no environment).
  std::function<std::optional<std::string>(const std::string&)> getenv;
  int max_include_depth = 16;
  size_t max_logical_lines = 4'000'000;
  size_t max_line_bytes = 1024;       // keepalived's MAXBUF for physical lines
  size_t max_expanded_bytes = 65536;  // after substitution
  int max_expansion_depth = 64;
  size_t max_expansion_steps = 16'000'000;  // lines processed, including dropped ones
};

using LineSink = std::function<void(LogicalLine&&)>;

// Runs the preprocessor over `main_path`, handing each logical line to `sink` as soon as it is
// complete (so that a large file never exists as a whole list of lines).
void Preprocess(const std::string& main_path, ports::FileSource& files,
                const PreprocessOptions& options, base::Diagnostics& diags, const LineSink& sink);

// Runs the preprocessor over `main_path` and returns all logical lines. A main file that cannot be
// read is a kFatal diagnostic; everything else is reported and skipped.
std::vector<LogicalLine> Preprocess(const std::string& main_path, ports::FileSource& files,
                                    const PreprocessOptions& options, base::Diagnostics& diags);

}  // namespace vigil::config
