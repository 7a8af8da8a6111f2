#include "check/udp.h"

#include <algorithm>

namespace vigil::check::udp {
namespace {

// A nibble's value, 16 for a wildcard, -1 for anything else.
int Nibble(char c, bool wildcards) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (wildcards && (c == 'x' || c == 'X')) return 16;
  return -1;
}

}  // namespace

std::optional<HexPattern> ParseHex(std::string_view text, bool wildcards) {
  HexPattern p;
  size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i == text.size()) break;
    int hi = Nibble(text[i++], wildcards);
    if (hi < 0) return std::nullopt;
    uint8_t value = 0, mask = 0;
    bool pair = i < text.size() && text[i] != ' ' && text[i] != '\t';
    if (!pair) {  // a lone digit is the low nibble of its byte
      value = hi == 16 ? 0 : static_cast<uint8_t>(hi);
      mask = hi == 16 ? 0x0F : 0;
    } else {
      int lo = Nibble(text[i++], wildcards);
      if (lo < 0) return std::nullopt;
      value = static_cast<uint8_t>((hi == 16 ? 0 : hi << 4) | (lo == 16 ? 0 : lo));
      mask = static_cast<uint8_t>((hi == 16 ? 0xF0 : 0) | (lo == 16 ? 0x0F : 0));
    }
    p.bytes.push_back(value);
    p.mask.push_back(mask);
  }
  if (p.bytes.empty()) return std::nullopt;
  return p;
}

std::optional<ReplyRule> MakeRule(bool require_reply, std::string_view require_hex,
                                  std::optional<int> min_length, std::optional<int> max_length,
                                  std::string* error) {
  ReplyRule r;
  r.require_reply = require_reply;
  if (require_reply && !require_hex.empty()) {
    r.pattern = ParseHex(require_hex, true);
    if (!r.pattern) {
      *error = "UDP_CHECK require_reply is not a hex string: " + std::string(require_hex);
      return std::nullopt;
    }
  }
  if (min_length) r.min_length = static_cast<size_t>(*min_length);
  if (max_length) r.max_length = static_cast<size_t>(*max_length);
  return r;
}

const char* CheckReply(const ReplyRule& rule, std::span<const uint8_t> reply, std::string* detail) {
  if (!rule.require_reply) return nullptr;
  if (reply.size() < rule.min_length) {
    *detail = std::to_string(reply.size()) + " bytes, min_reply_length " +
              std::to_string(rule.min_length);
    return "udp-reply-short";
  }
  if (reply.size() > rule.max_length) {
    *detail = "more than " + std::to_string(rule.max_length) + " bytes (max_reply_length)";
    return "udp-reply-long";
  }
  if (rule.pattern) {
    const auto& p = *rule.pattern;
    size_t n = std::min(reply.size(), p.bytes.size());
    for (size_t i = 0; i < n; ++i) {
      if ((reply[i] ^ p.bytes[i]) & ~p.mask[i] & 0xFF) {
        *detail = "byte " + std::to_string(i) + " differs from require_reply";
        return "udp-reply-mismatch";
      }
    }
  }
  return nullptr;
}

}  // namespace vigil::check::udp
