// The public face of config/: keepalived.conf text in, model::Config and diagnostics out.
//
//   Preprocess (includes, @conditionals, $definitions, ~SEQ/~LST)
//     -> BuildTree (words, braces, file:line:col)
//     -> Lower (keyword tables -> model values, defaults from model/defaults.h)
//     -> Validate (cross references, VRID uniqueness, version rules)
//
// Nothing here touches the OS: files come through ports::FileSource, interface existence
// through the `interface_exists` predicate supplied by the caller.
#pragma once

#include <functional>
#include <string>

#include "base/diagnostics.h"
#include "config/preprocess.h"
#include "config/tree.h"
#include "model/config.h"
#include "ports/file_source.h"

namespace vigil::config {

struct LoadOptions {
  PreprocessOptions preprocess;
  // When set, every interface the configuration names is checked with it (keepalived's -t
  // reads the interface list). Unset: interface names are not checked.
  std::function<bool(const std::string&)> interface_exists;
  // When set, VRRP instances on a loopback interface are reported (keepalived refuses them).
  std::function<bool(const std::string&)> interface_is_loopback;
};

struct LoadResult {
  model::Config config;
  base::Diagnostics diags;
};

LoadResult Load(const std::string& path, ports::FileSource& files, const LoadOptions& options);

// Lowers top-level statements one at a time (so that the tree of a large file is never held
// whole), then applies what global_defs says about other blocks in Finish().
class Lowerer {
 public:
  explicit Lowerer(base::Diagnostics& diags);
  void Add(const Node& top_level);
  model::Config Finish();

 private:
  base::Diagnostics& diags_;
  model::Config cfg_;
};

// Lowers an already built tree (used by tests).
model::Config Lower(const std::vector<Node>& tree, base::Diagnostics& diags);

// Cross-reference and semantic checks on a lowered model.
void Validate(const model::Config& config, const LoadOptions& options, base::Diagnostics& diags);

// Canonical keepalived syntax. Secrets (auth_pass, auth_hmac keys, SSL password) are printed
// as ******** when `mask_secrets` is set.
std::string Dump(const model::Config& config, bool mask_secrets = true);

// keepalived's `-t` exit code for a set of diagnostics: 0 clean, 4 cannot run, 5 errors but
// would run, 6 scripts without enable_script_security.
int ConfigTestExitCode(const base::Diagnostics& diags);

}  // namespace vigil::config
