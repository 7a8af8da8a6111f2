// Golden tests over tests/golden: every valid config's canonical dump must match its .dump
// file and re-parse to an equal model; every invalid config's diagnostics must match its
// .diag file and give a non-zero `-t` exit code. Set VIGIL_UPDATE_GOLDEN=1 to rewrite the
// expectations (then review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "fakes/memory_file_source.h"
#include "os/linux/real_file_source.h"

namespace fs = std::filesystem;

namespace vigil::config {
namespace {

const fs::path kRoot = VIGIL_GOLDEN_DIR;

LoadOptions Options() {
  LoadOptions o;
  o.preprocess.config_id = "main";
  // The interfaces the golden configs may name; the differential test uses real ones.
  o.interface_exists = [](const std::string& n) {
    return n == "eth0" || n == "eth1" || n == "eth2";
  };
  return o;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Expect(const fs::path& expected_file, const std::string& actual) {
  if (std::getenv("VIGIL_UPDATE_GOLDEN")) {
    std::ofstream(expected_file) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_file)) << expected_file << " is missing";
  EXPECT_EQ(ReadFile(expected_file), actual) << "golden mismatch: " << expected_file;
}

std::vector<fs::path> Configs(const char* sub) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kRoot / sub)) {
    if (e.path().extension() == ".conf") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Runs Load from inside the golden directory so that diagnostics carry relative paths.
LoadResult LoadRelative(const fs::path& conf) {
  fs::path cwd = fs::current_path();
  fs::current_path(conf.parent_path());
  os::RealFileSource files;
  auto r = Load(conf.filename().string(), files, Options());
  fs::current_path(cwd);
  return r;
}

std::string DiagText(const base::Diagnostics& d) {
  std::string out;
  for (const auto& x : d.all()) out += x.ToString() + "\n";
  return out;
}

TEST(Golden, HasEnoughConfigs) {
  EXPECT_GE(Configs("valid").size(), 40u);
  EXPECT_GE(Configs("invalid").size(), 30u);
}

TEST(Golden, ValidConfigsDumpCanonicallyAndRoundTrip) {
  for (const auto& conf : Configs("valid")) {
    SCOPED_TRACE(conf.filename().string());
    auto r = LoadRelative(conf);
    EXPECT_EQ(ConfigTestExitCode(r.diags), 0) << DiagText(r.diags);
    std::string dump = Dump(r.config, /*mask_secrets=*/false);
    fs::path expected = conf;
    Expect(expected.replace_extension(".dump"), dump);

    // The dump is a configuration of its own: it must parse cleanly to an equal model.
    testing::MemoryFileSource mem;
    mem.Add("dump.conf", dump);
    auto again = Load("dump.conf", mem, Options());
    EXPECT_EQ(ConfigTestExitCode(again.diags), 0) << DiagText(again.diags);
    EXPECT_TRUE(again.config == r.config) << "dump does not re-parse to the same model";
    EXPECT_EQ(Dump(again.config, false), dump) << "dump is not a fixed point";
  }
}

TEST(Golden, InvalidConfigsReportWhereAndWhy) {
  for (const auto& conf : Configs("invalid")) {
    SCOPED_TRACE(conf.filename().string());
    auto r = LoadRelative(conf);
    EXPECT_NE(ConfigTestExitCode(r.diags), 0);
    std::string text = DiagText(r.diags);
    text += "exit " + std::to_string(ConfigTestExitCode(r.diags)) + "\n";
    fs::path expected = conf;
    Expect(expected.replace_extension(".diag"), text);
  }
}

}  // namespace
}  // namespace vigil::config
