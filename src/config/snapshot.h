// The files a configuration was read from, as they were when it was read.
//
// The supervisor loads the configuration through a RecordingFileSource and hands the
// recording to its child processes, which load it again through a SnapshotFileSource: they
// parse the very bytes the supervisor checked, however the files change afterwards (an
// editor half-way through a save, a child restarted hours later), as keepalived's children
// read the parent's consolidated copy.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ports/file_source.h"

namespace vigil::config {

struct FileSnapshot {
  struct Read {
    std::optional<std::string> content;
    std::string error;  // when content is unset
    bool operator==(const Read&) const = default;
  };
  std::map<std::string, Read> reads;
  std::map<std::string, std::vector<std::string>> globs;
  std::map<std::string, std::string> canonical;

  // A self-delimiting byte string; Parse(Serialize()) gives the snapshot back. Parse returns
  // nullopt for anything else (a truncated or foreign text).
  std::string Serialize() const;
  static std::optional<FileSnapshot> Parse(const std::string& bytes);
  bool operator==(const FileSnapshot&) const = default;
};

// Passes every call to `inner` and writes down what it answered.
class RecordingFileSource : public ports::FileSource {
 public:
  RecordingFileSource(ports::FileSource& inner, FileSnapshot& into) : inner_(inner), into_(into) {}
  std::optional<std::string> Read(const std::string& path, std::string* error) override;
  std::vector<std::string> Glob(const std::string& pattern) override;
  std::string Canonical(const std::string& path) override;

 private:
  ports::FileSource& inner_;
  FileSnapshot& into_;
};

// Answers from a snapshot; a path it does not hold reads as missing.
class SnapshotFileSource : public ports::FileSource {
 public:
  explicit SnapshotFileSource(FileSnapshot snapshot) : snap_(std::move(snapshot)) {}
  std::optional<std::string> Read(const std::string& path, std::string* error) override;
  std::vector<std::string> Glob(const std::string& pattern) override;
  std::string Canonical(const std::string& path) override;

 private:
  FileSnapshot snap_;
};

}  // namespace vigil::config
