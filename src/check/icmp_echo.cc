#include "check/icmp_echo.h"

#include <algorithm>

#include "base/checksum.h"

namespace vigil::check::icmp {
namespace {

constexpr uint8_t kEchoReply4 = 0, kUnreach4 = 3, kEchoRequest4 = 8, kTimeExceeded4 = 11;
constexpr uint8_t kUnreach6 = 1, kTimeExceeded6 = 3, kEchoRequest6 = 128, kEchoReply6 = 129;
constexpr size_t kIp6HeaderSize = 40;
constexpr uint8_t kNextHeaderIcmp6 = 58;

uint16_t U16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>(m[at] << 8 | m[at + 1]);
}

// The IPv4 header's length at `m`, or 0 if it is not a whole IPv4 header.
size_t Ip4HeaderLength(std::span<const uint8_t> m) {
  if (m.size() < 20 || (m[0] >> 4) != 4) return 0;
  size_t ihl = static_cast<size_t>(m[0] & 0x0F) * 4;
  return ihl >= 20 && ihl <= m.size() ? ihl : 0;
}

bool SameEcho(std::span<const uint8_t> echo, const Expect& e, uint8_t request_type) {
  return echo.size() >= kHeaderSize && echo[0] == request_type &&
         (!e.match_id || U16(echo, 4) == e.id) && U16(echo, 6) == e.seq;
}

// Whether an error's quoted packet (`quoted`: the original IP header and 8 bytes of ICMP) is
// our request.
bool QuotesOurRequest(std::span<const uint8_t> quoted, const Expect& e) {
  if (e.v6) {
    if (quoted.size() < kIp6HeaderSize + kHeaderSize || (quoted[0] >> 4) != 6 ||
        quoted[6] != kNextHeaderIcmp6) {
      return false;
    }
    return SameEcho(quoted.subspan(kIp6HeaderSize), e, kEchoRequest6);
  }
  size_t ihl = Ip4HeaderLength(quoted);
  if (ihl == 0 || quoted[9] != 1) return false;  // protocol ICMP
  return SameEcho(quoted.subspan(ihl), e, kEchoRequest4);
}

}  // namespace

std::vector<uint8_t> BuildEcho(bool v6, uint16_t id, uint16_t seq,
                               std::span<const uint8_t> payload) {
  std::vector<uint8_t> p(kHeaderSize + payload.size());
  p[0] = v6 ? kEchoRequest6 : kEchoRequest4;
  p[4] = static_cast<uint8_t>(id >> 8);
  p[5] = static_cast<uint8_t>(id);
  p[6] = static_cast<uint8_t>(seq >> 8);
  p[7] = static_cast<uint8_t>(seq);
  std::copy(payload.begin(), payload.end(), p.begin() + kHeaderSize);
  if (!v6) {
    base::InetChecksum sum;
    sum.Add(p);
    uint16_t c = sum.Finish();
    p[2] = static_cast<uint8_t>(c >> 8);
    p[3] = static_cast<uint8_t>(c);
  }
  return p;
}

Match Classify(std::span<const uint8_t> packet, const Expect& e, std::string* detail) {
  std::span<const uint8_t> icmp = packet;
  if (e.ip_header && !e.v6) {
    size_t ihl = Ip4HeaderLength(packet);
    if (ihl == 0) return Match::kIgnore;
    icmp = packet.subspan(ihl);
  }
  if (icmp.size() < kHeaderSize) return Match::kIgnore;
  uint8_t type = icmp[0], code = icmp[1];
  uint8_t reply = e.v6 ? kEchoReply6 : kEchoReply4;
  if (type == reply) return SameEcho(icmp, e, reply) ? Match::kReply : Match::kIgnore;
  bool unreach = type == (e.v6 ? kUnreach6 : kUnreach4);
  bool exceeded = type == (e.v6 ? kTimeExceeded6 : kTimeExceeded4);
  if (!unreach && !exceeded) return Match::kIgnore;
  if (!QuotesOurRequest(icmp.subspan(kHeaderSize), e)) return Match::kIgnore;
  *detail = std::string(e.v6 ? "ICMPv6" : "ICMP") + " type " + std::to_string(type) + " code " +
            std::to_string(code);
  return unreach ? Match::kUnreachable : Match::kTimeExceeded;
}

}  // namespace vigil::check::icmp
