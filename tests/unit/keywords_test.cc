// Every keyword in keepalived's keyword list (tests/data/keepalived-keywords.txt, extracted
// from keepalived's parser sources) must be recognised in its block: stored in the model or
// accepted with a note. The test places each keyword, without arguments, inside a minimal
// nest of its blocks and fails on any "unknown keyword" diagnostic.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "config/config.h"
#include "fakes/memory_file_source.h"

namespace vigil::config {
namespace {

// How to open each block path of the keyword list.
const std::map<std::string, std::vector<std::string>>& Openers() {
  static const std::map<std::string, std::vector<std::string>> m = {
      {"TOP LEVEL", {}},
      {"global_defs", {"global_defs {"}},
      {"track_group", {"track_group TG {"}},
      {"vrrp_sync_group", {"vrrp_sync_group SG {"}},
      {"garp_group", {"garp_group {"}},
      {"vrrp_instance", {"vrrp_instance VI {"}},
      {"vrrp_instance > authentication", {"vrrp_instance VI {", "authentication {"}},
      {"vrrp_instance > auth_hmac", {"vrrp_instance VI {", "auth_hmac {"}},
      {"vrrp_script", {"vrrp_script S {"}},
      {"vrrp_track_process", {"vrrp_track_process P {"}},
      {"SSL", {"SSL {"}},
      {"virtual_server", {"virtual_server 192.0.2.1 80 {"}},
      {"virtual_server > real_server",
       {"virtual_server 192.0.2.1 80 {", "real_server 192.0.2.2 80 {"}},
      {"bfd_instance", {"bfd_instance B {"}},
      {"track_file", {"track_file F {"}},
      {"vrrp_track_file", {"vrrp_track_file F {"}},
  };
  return m;
}

std::vector<std::string> OpenersFor(const std::string& block) {
  auto it = Openers().find(block);
  if (it != Openers().end()) return it->second;
  // virtual_server > real_server > CHECKER [> url|host]
  std::vector<std::string> out = {"virtual_server 192.0.2.1 80 {", "real_server 192.0.2.2 80 {"};
  std::string rest = block.substr(std::string("virtual_server > real_server > ").size());
  std::stringstream ss(rest);
  std::string part;
  while (std::getline(ss, part, '>')) {
    size_t b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
    out.push_back(part.substr(b, e - b + 1) + " {");
  }
  return out;
}

struct Entry {
  std::string block, keyword;
};

std::vector<Entry> ReadKeywords() {
  std::ifstream in(VIGIL_KEYWORDS_FILE);
  std::vector<Entry> out;
  std::string line, block;
  bool in_lists = false;
  while (std::getline(in, line)) {
    if (line.rfind("=== ", 0) == 0) {
      in_lists = true;
      block = line.substr(4);
      if (block.rfind("TOP LEVEL", 0) == 0) {
        block = "TOP LEVEL";
      } else {
        block = block.substr(0, block.find(" { ... }"));
      }
      continue;
    }
    if (line.rfind("=====", 0) == 0) {
      if (in_lists && !block.empty()) in_lists = false;
      continue;
    }
    if (!in_lists || line.empty() || line[0] == ' ') continue;
    std::string kw = line.substr(0, line.find(' '));
    out.push_back({block, kw});
  }
  return out;
}

TEST(Keywords, ListIsRead) {
  auto all = ReadKeywords();
  EXPECT_GT(all.size(), 400u);
}

TEST(Keywords, EveryKeywordIsRecognisedInItsBlock) {
  int checked = 0;
  for (const auto& e : ReadKeywords()) {
    auto openers = OpenersFor(e.block);
    std::string text;
    for (const auto& o : openers) text += o + "\n";
    text += e.keyword + "\n";
    for (size_t i = 0; i < openers.size(); ++i) text += "}\n";
    testing::MemoryFileSource fs;
    fs.Add("k.conf", text);
    LoadOptions opt;
    auto r = Load("k.conf", fs, opt);
    for (const auto& d : r.diags.all()) {
      EXPECT_EQ(d.message.find("unknown keyword"), std::string::npos)
          << "[" << e.block << "] " << e.keyword << ": " << d.ToString();
    }
    ++checked;
  }
  EXPECT_GT(checked, 400);
}

}  // namespace
}  // namespace vigil::config
