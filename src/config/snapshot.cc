#include "config/snapshot.h"

#include <charconv>

namespace vigil::config {

// Format: a sequence of records, each `K<len>:<key><len>:<value>`, K one of R (a file's
// content), E (a read's error), G (a glob's matches, joined by NUL), C (a canonical path).
namespace {

void Put(std::string& out, char kind, const std::string& key, const std::string& value) {
  out += kind;
  out += std::to_string(key.size());
  out += ':';
  out += key;
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

bool Take(const std::string& in, size_t& pos, std::string* field) {
  size_t colon = in.find(':', pos);
  if (colon == std::string::npos || colon == pos) return false;
  size_t len = 0;
  auto [p, ec] = std::from_chars(in.data() + pos, in.data() + colon, len);
  if (ec != std::errc() || p != in.data() + colon) return false;
  pos = colon + 1;
  if (len > in.size() - pos) return false;
  field->assign(in, pos, len);
  pos += len;
  return true;
}

std::vector<std::string> SplitNul(const std::string& joined) {
  std::vector<std::string> out;
  if (joined.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t nul = joined.find('\0', start);
    out.push_back(joined.substr(start, nul == std::string::npos ? nul : nul - start));
    if (nul == std::string::npos) return out;
    start = nul + 1;
  }
}

}  // namespace

std::string FileSnapshot::Serialize() const {
  std::string out = "VIGILSNAP1\n";
  for (const auto& [path, r] : reads) {
    if (r.content) {
      Put(out, 'R', path, *r.content);
    } else {
      Put(out, 'E', path, r.error);
    }
  }
  for (const auto& [pattern, matches] : globs) {
    std::string joined;
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i) joined += '\0';
      joined += matches[i];
    }
    Put(out, 'G', pattern, joined);
  }
  for (const auto& [path, canon] : canonical) Put(out, 'C', path, canon);
  return out;
}

std::optional<FileSnapshot> FileSnapshot::Parse(const std::string& bytes) {
  static const std::string kMagic = "VIGILSNAP1\n";
  if (bytes.compare(0, kMagic.size(), kMagic) != 0) return std::nullopt;
  FileSnapshot snap;
  size_t pos = kMagic.size();
  while (pos < bytes.size()) {
    char kind = bytes[pos++];
    std::string key, value;
    if (!Take(bytes, pos, &key) || !Take(bytes, pos, &value)) return std::nullopt;
    switch (kind) {
      case 'R':
        snap.reads[key] = Read{std::move(value), {}};
        break;
      case 'E':
        snap.reads[key] = Read{std::nullopt, std::move(value)};
        break;
      case 'G':
        snap.globs[key] = SplitNul(value);
        break;
      case 'C':
        snap.canonical[key] = std::move(value);
        break;
      default:
        return std::nullopt;
    }
  }
  return snap;
}

std::optional<std::string> RecordingFileSource::Read(const std::string& path, std::string* error) {
  std::string err;
  auto content = inner_.Read(path, &err);
  into_.reads[path] = FileSnapshot::Read{content, content ? std::string() : err};
  if (!content && error) *error = err;
  return content;
}

std::vector<std::string> RecordingFileSource::Glob(const std::string& pattern) {
  auto matches = inner_.Glob(pattern);
  into_.globs[pattern] = matches;
  return matches;
}

std::string RecordingFileSource::Canonical(const std::string& path) {
  auto canon = inner_.Canonical(path);
  into_.canonical[path] = canon;
  return canon;
}

std::optional<std::string> SnapshotFileSource::Read(const std::string& path, std::string* error) {
  auto it = snap_.reads.find(path);
  if (it == snap_.reads.end()) {
    if (error) *error = "No such file or directory";
    return std::nullopt;
  }
  if (!it->second.content && error) *error = it->second.error;
  return it->second.content;
}

std::vector<std::string> SnapshotFileSource::Glob(const std::string& pattern) {
  auto it = snap_.globs.find(pattern);
  return it == snap_.globs.end() ? std::vector<std::string>{} : it->second;
}

std::string SnapshotFileSource::Canonical(const std::string& path) {
  auto it = snap_.canonical.find(path);
  return it == snap_.canonical.end() ? path : it->second;
}

}  // namespace vigil::config
