// Test helper: bytes from a hex string ("21 33 96 02 ..."; spaces ignored).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::testing {

inline std::vector<uint8_t> Hex(const std::string& h) {
  std::vector<uint8_t> out;
  std::string digits;
  for (char c : h) {
    if (c != ' ') digits += c;
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

}  // namespace vigil::testing
