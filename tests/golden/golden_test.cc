// Golden tests over tests/golden: every valid config's canonical dump must match its .dump
// file and re-parse to an equal model; every invalid config's diagnostics must match its
// .diag file and give a non-zero `-t` exit code. Set VIGIL_UPDATE_GOLDEN=1 to rewrite the
// expectations (then review the diff).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
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
  // The interfaces the golden configs may name; the differential test uses real ones
  // (vrf-blue only here: the test kernel cannot create VRF devices).
  o.interface_exists = [](const std::string& n) {
    return n == "eth0" || n == "eth1" || n == "eth2" || n == "vrf-blue";
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

// Block path of a node in keepalived-keywords.txt terms ("virtual_server > real_server > ...").
void CollectKeywords(const std::vector<Node>& nodes, const std::string& path,
                     std::set<std::pair<std::string, std::string>>& seen) {
  for (const auto& n : nodes) {
    seen.insert({path, n.keyword()});
    if (!n.has_block) continue;
    std::string child = path.empty() ? n.keyword() : path + " > " + n.keyword();
    CollectKeywords(n.children, child, seen);
  }
}

// The keyword list's entries for the blocks whose every keyword the goldens must use.
std::set<std::pair<std::string, std::string>> RequiredKeywords() {
  std::ifstream in(VIGIL_KEYWORDS_FILE);
  std::set<std::pair<std::string, std::string>> out;
  std::string line, block;
  bool in_lists = false;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      in_lists = true;
      block = line.substr(4, line.find(" { ... }") - 4);
      continue;
    }
    if (line.rfind("=====", 0) == 0) {
      in_lists = false;
      continue;
    }
    if (!in_lists || line.empty() || line[0] == ' ') continue;
    bool wanted = block == "vrrp_instance" || block.rfind("vrrp_instance > ", 0) == 0 ||
                  block.rfind("virtual_server", 0) == 0 || block.rfind("TOP LEVEL", 0) == 0;
    if (block.rfind("TOP LEVEL", 0) == 0) block.clear();  // top-level keywords have no path
    if (wanted) out.insert({block, line.substr(0, line.find(' '))});
  }
  return out;
}

// Every block type (every top-level keyword) and every keyword of vrrp_instance,
// virtual_server, real_server, the checkers and url appears in some valid golden config.
TEST(Golden, ValidConfigsUseEveryBlockTypeAndEveryInstanceVirtualServerAndCheckerKeyword) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& conf : Configs("valid")) {
    fs::path cwd = fs::current_path();
    fs::current_path(conf.parent_path());
    os::RealFileSource files;
    base::Diagnostics d;
    PreprocessOptions opt;
    opt.config_id = "main";
    auto lines = Preprocess(conf.filename().string(), files, opt, d);
    fs::current_path(cwd);
    CollectKeywords(BuildTree(lines, d), "", seen);
  }
  // keepalived's -t reports deprecated keywords as errors, so those are exercised by
  // invalid/34_deprecated_keywords.conf instead.
  std::set<std::pair<std::string, std::string>> deprecated;
  {
    fs::path cwd = fs::current_path();
    fs::path conf = kRoot / "invalid" / "34_deprecated_keywords.conf";
    fs::current_path(conf.parent_path());
    os::RealFileSource files;
    base::Diagnostics d;
    auto lines = Preprocess(conf.filename().string(), files, PreprocessOptions{}, d);
    fs::current_path(cwd);
    CollectKeywords(BuildTree(lines, d), "", deprecated);
  }
  for (const auto& k : deprecated) seen.insert(k);
  auto required = RequiredKeywords();
  EXPECT_GT(required.size(), 250u);
  for (const auto& r : required) {
    EXPECT_TRUE(seen.count(r)) << "no valid golden config uses [" << r.first << "] " << r.second;
  }
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
