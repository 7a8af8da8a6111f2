// Small string and number helpers shared by every module. No allocation-heavy machinery.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::base {

// Microsecond resolution, as keepalived's timers.
using Duration = std::chrono::microseconds;

// Decimal digits only (no sign, no spaces); nullopt on overflow of uint64.
std::optional<uint64_t> ParseUint(std::string_view s);
// Optional leading '-' or '+', then decimal digits.
std::optional<int64_t> ParseInt(std::string_view s);
// keepalived's <TIMER>: decimal seconds with up to six fractional digits ("1", "0.5", "2.000001").
std::optional<Duration> ParseSeconds(std::string_view s);
// Seconds as the shortest decimal text that parses back to the same value ("1", "0.5").
std::string FormatSeconds(Duration d);
// keepalived's <BOOL>: on|off|true|false|yes|no.
std::optional<bool> ParseBool(std::string_view s);

std::string_view Trim(std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace vigil::base
