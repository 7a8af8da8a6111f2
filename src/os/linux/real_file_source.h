// FileSource over the real filesystem: glob(3) with brace expansion, realpath(3), bounded reads.
#pragma once

#include "ports/file_source.h"

namespace vigil::os {

class RealFileSource : public ports::FileSource {
 public:
  static constexpr size_t kMaxFileBytes = 256u << 20;
  std::optional<std::string> Read(const std::string& path, std::string* error) override;
  std::vector<std::string> Glob(const std::string& pattern) override;
  std::string Canonical(const std::string& path) override;
};

// True when a network interface with this name exists in the current namespace.
bool InterfaceExists(const std::string& name);

// True when the named interface exists and is a loopback interface.
bool InterfaceIsLoopback(const std::string& name);

// The short host name (up to the first '.'), keepalived's default config id.
std::string ShortHostname();

}  // namespace vigil::os
