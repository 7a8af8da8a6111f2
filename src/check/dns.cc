#include "check/dns.h"

#include <array>
#include <cstddef>

namespace vigil::check::dns {
namespace {

constexpr size_t kMaxName = 255;  // wire bytes, with the final zero
constexpr size_t kMaxLabel = 63;

uint16_t U16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>(m[at] << 8 | m[at + 1]);
}

char Lower(uint8_t c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); }

// Reads the name at *pos into *out as length-prefixed lower-case labels (comparable whatever
// bytes the labels hold); *pos ends after the name as stored (after its first pointer).
// Every pointer must point before the lowest offset this name has visited, so the walk
// moves strictly backwards at each jump and ends.
Failure ReadName(std::span<const uint8_t> m, size_t* pos, std::string* out, std::string* detail) {
  size_t at = *pos;
  size_t floor = at;
  size_t resume = 0;  // 0: no pointer followed yet
  size_t wire = 0;
  int pointers = 0;
  out->clear();
  while (true) {
    if (at >= m.size()) {
      *detail = "name at offset " + std::to_string(*pos) + " runs past the end";
      return Failure::kBadLength;
    }
    uint8_t len = m[at];
    if ((len & 0xC0) == 0xC0) {
      if (at + 1 >= m.size()) {
        *detail = "compression pointer at offset " + std::to_string(at) + " is cut";
        return Failure::kBadLength;
      }
      size_t target = static_cast<size_t>(len & 0x3F) << 8 | m[at + 1];
      if (++pointers > kMaxPointers) {
        *detail = "more than " + std::to_string(kMaxPointers) + " compression pointers";
        return Failure::kBadPointer;
      }
      if (target >= floor) {
        *detail = "compression pointer at offset " + std::to_string(at) + " to offset " +
                  std::to_string(target) + " does not point backwards (a loop)";
        return Failure::kBadPointer;
      }
      if (resume == 0) resume = at + 2;
      floor = target;
      at = target;
      continue;
    }
    if (len & 0xC0) {
      *detail = "reserved label type (length byte " + std::to_string(len) + ") at offset " +
                std::to_string(at);
      return Failure::kBadName;
    }
    wire += 1u + len;
    if (wire > kMaxName) {
      *detail = "name at offset " + std::to_string(*pos) + " is longer than 255 bytes";
      return Failure::kBadName;
    }
    if (len == 0) {
      *pos = resume ? resume : at + 1;
      return Failure::kNone;
    }
    if (at + 1 + len > m.size()) {
      *detail = "label at offset " + std::to_string(at) + " runs past the end";
      return Failure::kBadLength;
    }
    out->push_back(static_cast<char>(len));
    for (size_t i = 0; i < len; ++i) out->push_back(Lower(m[at + 1 + i]));
    at += 1u + len;
  }
}

struct Question {
  std::string name;
  uint16_t type = 0, klass = 0;
};

Failure ReadQuestion(std::span<const uint8_t> m, size_t* pos, Question* q, std::string* detail) {
  if (Failure f = ReadName(m, pos, &q->name, detail); f != Failure::kNone) return f;
  if (*pos + 4 > m.size()) {
    *detail = "question runs past the end";
    return Failure::kBadLength;
  }
  q->type = U16(m, *pos);
  q->klass = U16(m, *pos + 2);
  *pos += 4;
  return Failure::kNone;
}

Reply Fail(Failure f, std::string detail, int rcode = 0) {
  Reply r;
  r.failure = f;
  r.detail = std::move(detail);
  r.rcode = rcode;
  return r;
}

}  // namespace

std::optional<uint16_t> TypeCode(std::string_view name) {
  struct Row {
    const char* name;
    uint16_t code;
  };
  static constexpr std::array<Row, 7> kTypes = {
      {{"A", 1}, {"NS", 2}, {"CNAME", 5}, {"SOA", 6}, {"MX", 15}, {"TXT", 16}, {"AAAA", 28}}};
  for (const auto& t : kTypes) {
    std::string_view n = t.name;
    if (n.size() != name.size()) continue;
    bool same = true;
    for (size_t i = 0; i < n.size() && same; ++i) {
      same = Lower(static_cast<uint8_t>(name[i])) == Lower(static_cast<uint8_t>(n[i]));
    }
    if (same) return t.code;
  }
  return std::nullopt;
}

std::optional<std::vector<uint8_t>> BuildQuery(uint16_t id, std::string_view name, uint16_t type,
                                               std::string* error) {
  std::vector<uint8_t> q = {
      static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  if (name == ".") name = "";
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  size_t wire = 1;
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > kMaxLabel) {
      *error = "DNS_CHECK name has an empty label or one over 63 bytes";
      return std::nullopt;
    }
    wire += 1 + label.size();
    if (wire > kMaxName) {
      *error = "DNS_CHECK name is longer than 255 bytes";
      return std::nullopt;
    }
    q.push_back(static_cast<uint8_t>(label.size()));
    q.insert(q.end(), label.begin(), label.end());
    if (dot == std::string_view::npos) break;
    name.remove_prefix(dot + 1);
    if (name.empty()) {  // "a..": an empty label before the final dot
      *error = "DNS_CHECK name has an empty label or one over 63 bytes";
      return std::nullopt;
    }
  }
  q.push_back(0);
  q.insert(q.end(), {static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 1});
  return q;
}

const char* FailureName(Failure f) {
  switch (f) {
    case Failure::kNone:
      return "";
    case Failure::kShort:
      return "dns-short";
    case Failure::kWrongId:
      return "dns-wrong-id";
    case Failure::kNotResponse:
      return "dns-not-response";
    case Failure::kRcode:
      return "dns-rcode";
    case Failure::kTruncated:
      return "dns-truncated";
    case Failure::kQuestionMismatch:
      return "dns-question-mismatch";
    case Failure::kBadName:
      return "dns-bad-name";
    case Failure::kBadPointer:
      return "dns-bad-pointer";
    case Failure::kBadLength:
      return "dns-bad-length";
  }
  return "dns-error";
}

bool Ignorable(Failure f) {
  return f == Failure::kShort || f == Failure::kWrongId || f == Failure::kNotResponse;
}

std::string RcodeName(int rcode) {
  static constexpr std::array<const char*, 11> kNames = {
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
  if (rcode >= 0 && static_cast<size_t>(rcode) < kNames.size()) return kNames[rcode];
  return "RCODE" + std::to_string(rcode);
}

Reply ParseReply(std::span<const uint8_t> msg, std::span<const uint8_t> query) {
  if (msg.size() < kHeaderSize) {
    return Fail(Failure::kShort, std::to_string(msg.size()) + " bytes, shorter than a header");
  }
  if (U16(msg, 0) != U16(query, 0)) {
    return Fail(Failure::kWrongId, "id " + std::to_string(U16(msg, 0)) + ", expected " +
                                       std::to_string(U16(query, 0)));
  }
  uint16_t flags = U16(msg, 2);
  if (!(flags & 0x8000)) return Fail(Failure::kNotResponse, "QR is 0 (a query)");
  int rcode = flags & 0x000F;
  if (rcode != 0) {
    return Fail(Failure::kRcode, "rcode " + std::to_string(rcode) + " (" + RcodeName(rcode) + ")",
                rcode);
  }
  if (flags & 0x0200) return Fail(Failure::kTruncated, "TC is set (the answer did not fit)");
  uint16_t qd = U16(msg, 4), an = U16(msg, 6), ns = U16(msg, 8), ar = U16(msg, 10);
  if (qd != 1) {
    return Fail(Failure::kQuestionMismatch, "QDCOUNT " + std::to_string(qd) + ", expected 1");
  }
  std::string detail;
  Question asked, got;
  size_t qpos = kHeaderSize;
  if (ReadQuestion(query, &qpos, &asked, &detail) != Failure::kNone) {
    return Fail(Failure::kBadName, "the query itself is malformed: " + detail);
  }
  size_t pos = kHeaderSize;
  if (Failure f = ReadQuestion(msg, &pos, &got, &detail); f != Failure::kNone) {
    return Fail(f, "question: " + detail);
  }
  if (got.name != asked.name || got.type != asked.type || got.klass != asked.klass) {
    return Fail(Failure::kQuestionMismatch,
                "question type " + std::to_string(got.type) + " class " +
                    std::to_string(got.klass) + (got.name != asked.name ? ", another name" : "") +
                    "; asked type " + std::to_string(asked.type) + " class 1");
  }
  Reply r;
  r.answers = an;
  size_t records = static_cast<size_t>(an) + ns + ar;
  std::string name;
  for (size_t i = 0; i < records; ++i) {
    if (Failure f = ReadName(msg, &pos, &name, &detail); f != Failure::kNone) {
      return Fail(f, "record " + std::to_string(i + 1) + ": " + detail);
    }
    if (pos + 10 > msg.size()) {
      return Fail(Failure::kBadLength, "record " + std::to_string(i + 1) + " of " +
                                           std::to_string(records) + " runs past the end");
    }
    uint16_t type = U16(msg, pos);
    size_t rdlength = U16(msg, pos + 8);
    pos += 10;
    if (pos + rdlength > msg.size()) {
      return Fail(Failure::kBadLength, "record " + std::to_string(i + 1) + ": rdlength " +
                                           std::to_string(rdlength) + " runs past the end");
    }
    pos += rdlength;
    if (i < an && type == asked.type) ++r.answers_of_type;
  }
  return r;
}

}  // namespace vigil::check::dns
