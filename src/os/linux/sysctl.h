// Per-interface sysctls (/proc/sys/net/ipv4/conf/IF/KEY and .../ipv6/conf/IF/KEY), read and
// written in the calling process's network namespace.
#pragma once

#include <optional>
#include <string>

namespace vigil::os {

// `family` is "ipv4" or "ipv6". The value is the file's first line, trimmed.
std::optional<std::string> ReadInterfaceSysctl(const std::string& family, const std::string& ifname,
                                               const std::string& key);
// Returns false and sets *error if the file cannot be written.
bool WriteInterfaceSysctl(const std::string& family, const std::string& ifname,
                          const std::string& key, const std::string& value, std::string* error);

}  // namespace vigil::os
