// DNS_CHECK's wire format (keepalived.conf(5); RFC 1035 section 4), pure: the query keepalived
// sends (one question, class IN, RD set, a random id; type A|NS|CNAME|SOA|MX|TXT|AAAA, default
// SOA; name default ".") and the verdict on a reply datagram.
//
// keepalived passes a reply whose id matches, with QR set and RCODE 0; it does not require an
// answer (a NOERROR/NODATA reply passes) and neither does Vigil. Vigil also fails a reply
// with TC set, a question that is not the one asked, and any record that does not fit the
// message. Names are decoded with compression pointers that must point strictly backwards
// (so a loop cannot happen) and at most kMaxPointers of them per name; nothing is read past
// the datagram.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::check::dns {

inline constexpr uint16_t kTypeSoa = 6;
inline constexpr size_t kHeaderSize = 12;
inline constexpr int kMaxPointers = 32;

// keepalived's type names (case-insensitive), or nullopt.
std::optional<uint16_t> TypeCode(std::string_view name);

// The query datagram, or nullopt and *error for a name that cannot be encoded (an empty
// label inside the name, a label over 63 bytes, a name over 255 bytes). "" and "." are the
// root; a trailing dot is optional.
std::optional<std::vector<uint8_t>> BuildQuery(uint16_t id, std::string_view name, uint16_t type,
                                               std::string* error);

enum class Failure {
  kNone,
  kShort,             // shorter than the 12-byte header
  kWrongId,           // the id is not the query's
  kNotResponse,       // QR is 0
  kRcode,             // RCODE != 0 (detail names it)
  kTruncated,         // TC is set
  kQuestionMismatch,  // QDCOUNT != 1, or another name, type or class
  kBadName,           // a reserved label type, or a name over 255 bytes
  kBadPointer,        // a compression pointer not strictly backwards (a loop), or too many
  kBadLength,         // a count, label or rdlength that runs past the end of the message
};
// Stable kebab-case names: "dns-short", "dns-wrong-id", "dns-not-response", "dns-rcode",
// "dns-truncated", "dns-question-mismatch", "dns-bad-name", "dns-bad-pointer",
// "dns-bad-length".
const char* FailureName(Failure f);
// keepalived ignores such a datagram and keeps waiting for another one until the deadline
// (a short one, another id, a query): a stray datagram does not fail the check.
bool Ignorable(Failure f);

// "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", ... or "RCODE<n>".
std::string RcodeName(int rcode);

struct Reply {
  Failure failure = Failure::kNone;
  std::string detail;       // for the log line
  int rcode = 0;            // when the header was read
  int answers = 0;          // ANCOUNT, when the answer section was walked
  int answers_of_type = 0;  // answers whose type is the question's
};

// The verdict on `msg` as a reply to `query` (what BuildQuery made).
Reply ParseReply(std::span<const uint8_t> msg, std::span<const uint8_t> query);

}  // namespace vigil::check::dns
