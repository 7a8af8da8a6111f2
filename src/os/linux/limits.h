// Process resource limits the daemon adjusts for itself.
#pragma once

#include <cstddef>
#include <string>

namespace vigil::os {

// Raises the soft RLIMIT_NOFILE to `want` descriptors, capped at the hard limit (never
// lowers it). Returns the soft limit now in force; sets *warning when it stays below `want`
// (the hard limit, or setrlimit refused).
size_t RaiseOpenFileLimit(size_t want, std::string* warning);

}  // namespace vigil::os
