// An in-memory FileSource for tests: a map from path to contents, with '*' globbing.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "ports/file_source.h"

namespace vigil::testing {

class MemoryFileSource : public ports::FileSource {
 public:
  void Add(const std::string& path, std::string text) { files_[path] = std::move(text); }

  std::optional<std::string> Read(const std::string& path, std::string* error) override {
    auto it = files_.find(Normalize(path));
    if (it == files_.end()) {
      *error = "No such file or directory";
      return std::nullopt;
    }
    return it->second;
  }

  std::vector<std::string> Glob(const std::string& pattern) override {
    std::vector<std::string> out;
    std::string p = Normalize(pattern);
    for (const auto& [path, text] : files_) {
      if (Match(p, path)) out.push_back(path);
    }
    return out;
  }

  std::string Canonical(const std::string& path) override { return Normalize(path); }

 private:
  // Resolves "." and ".." components so that "dir/./x", "dir/sub/../x" and "dir/x" are the
  // same file, as realpath(3) would.
  static std::string Normalize(const std::string& p) {
    std::vector<std::string> parts;
    size_t i = 0;
    while (i <= p.size()) {
      size_t j = p.find('/', i);
      if (j == std::string::npos) j = p.size();
      std::string part = p.substr(i, j - i);
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      i = j + 1;
    }
    std::string out = !p.empty() && p[0] == '/' ? "/" : "";
    for (size_t k = 0; k < parts.size(); ++k) out += (k ? "/" : "") + parts[k];
    return out;
  }
  static bool Match(const std::string& pat, const std::string& s) {
    size_t pi = 0, si = 0, star = std::string::npos, mark = 0;
    while (si < s.size()) {
      if (pi < pat.size() && (pat[pi] == s[si] || pat[pi] == '?')) {
        ++pi;
        ++si;
      } else if (pi < pat.size() && pat[pi] == '*') {
        star = pi++;
        mark = si;
      } else if (star != std::string::npos) {
        pi = star + 1;
        si = ++mark;
      } else {
        return false;
      }
    }
    while (pi < pat.size() && pat[pi] == '*') ++pi;
    return pi == pat.size();
  }
  std::map<std::string, std::string> files_;
};

}  // namespace vigil::testing
