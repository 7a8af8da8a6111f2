// libFuzzer target over the whole configuration pipeline: the input is a main file (and, after
// a NUL byte, an included file), run through the preprocessor, tree builder, lowering,
// validation and the dumper.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/config.h"
#include "fakes/memory_file_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  vigil::testing::MemoryFileSource fs;
  fs.Add("/k/main.conf", in.substr(0, nul));
  if (nul != std::string::npos) fs.Add("/k/inc.conf", in.substr(nul + 1));
  vigil::config::LoadOptions opt;
  opt.preprocess.config_id = "main";
  opt.preprocess.max_logical_lines = 20000;  // keep each run fast
  opt.preprocess.max_expansion_steps = 200000;
  opt.interface_exists = [](const std::string& n) { return n == "eth0"; };
  auto r = vigil::config::Load("/k/main.conf", fs, opt);
  std::string dump = vigil::config::Dump(r.config);
  (void)dump;
  (void)vigil::config::ConfigTestExitCode(r.diags);
  return 0;
}
