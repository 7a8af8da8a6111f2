// UDP_CHECK's payload and reply verdict (keepalived.conf(5)), pure.
//
// A HEX_STR is read as keepalived's read_hex_str(): words separated by spaces, each read two
// digits at a time from its left, an odd last digit making a byte of its own ("Ab12f 3 456"
// is AB 12 0F 03 45 06). In require_reply, an X (or x) digit ignores that nibble of the reply.
//
// With require_reply, a reply must come: its length must lie within [min_reply_length,
// max_reply_length] (default 0 and 255; keepalived 2.2 checks them only when a pattern is
// given, the man page says always, and so does Vigil), and with a pattern the reply must
// match it over the shorter of the two lengths. Without require_reply any reply, or none by
// the deadline, passes; only an ICMP error fails (the probe's part).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::check::udp {

inline constexpr size_t kDefaultMaxReply = 255;

struct HexPattern {
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> mask;  // per byte: the bits to ignore (0xF0 / 0x0F for an X digit)
};

// nullopt for an empty string or a character that is not a hex digit (or X with wildcards).
std::optional<HexPattern> ParseHex(std::string_view text, bool wildcards);

struct ReplyRule {
  bool require_reply = false;
  std::optional<HexPattern> pattern;
  size_t min_length = 0;
  size_t max_length = kDefaultMaxReply;
};

// The rule of a UDP_CHECK's details, or nullopt and *error (a bad hex string).
std::optional<ReplyRule> MakeRule(bool require_reply, std::string_view require_hex,
                                  std::optional<int> min_length, std::optional<int> max_length,
                                  std::string* error);

// nullptr when `reply` passes, else "udp-reply-short", "udp-reply-long" or
// "udp-reply-mismatch" with *detail set.
const char* CheckReply(const ReplyRule& rule, std::span<const uint8_t> reply, std::string* detail);

}  // namespace vigil::check::udp
