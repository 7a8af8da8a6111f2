// Reading a status document leniently, for the renderings of control/: a member that is
// missing or of another type reads as the default given, never as an exception, so that any
// JSON value renders.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::control::json_read {

using nlohmann::json;

inline const json& Member(const json& j, std::string_view key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

inline std::string Str(const json& j, std::string_view key, std::string def = "") {
  const json& v = Member(j, key);
  return v.is_string() ? v.get<std::string>() : def;
}

inline std::optional<double> Num(const json& j, std::string_view key) {
  const json& v = Member(j, key);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

inline int64_t Int(const json& j, std::string_view key, int64_t def = 0) {
  const json& v = Member(j, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    // A value outside int64_t (or NaN) would be undefined behaviour to convert.
    if (!(d > -9.2e18 && d < 9.2e18)) return def;
    return static_cast<int64_t>(d);
  }
  return def;
}

inline uint64_t Counter(const json& j, std::string_view key) {
  const json& v = Member(j, key);
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) return v.get<int64_t>() < 0 ? 0 : v.get<uint64_t>();
  return 0;
}

inline std::optional<bool> OptBool(const json& j, std::string_view key) {
  const json& v = Member(j, key);
  if (!v.is_boolean()) return std::nullopt;
  return v.get<bool>();
}

inline bool Bool(const json& j, std::string_view key, bool def = false) {
  return OptBool(j, key).value_or(def);
}

// The array member `key`, or an empty array.
inline const json& Array(const json& j, std::string_view key) {
  static const json kEmpty = json::array();
  const json& v = Member(j, key);
  return v.is_array() ? v : kEmpty;
}

}  // namespace vigil::control::json_read
