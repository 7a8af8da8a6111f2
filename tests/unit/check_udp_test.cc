// UDP_CHECK's hex strings and reply verdict (check/udp.h), as keepalived.conf(5) describes.
#include <gtest/gtest.h>

#include "check/udp.h"

namespace vigil::check::udp {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(UdpHex, ManPageExample) {
  auto p = ParseHex("Ab12f 3 456 546443123", false);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->bytes, (Bytes{0xAB, 0x12, 0x0F, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43, 0x12, 0x03}));
  EXPECT_EQ(p->mask, Bytes(11, 0));
}

TEST(UdpHex, WildcardNibbles) {
  auto p = ParseHex("1x X2 x xX", true);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->bytes, (Bytes{0x10, 0x02, 0x00, 0x00}));
  EXPECT_EQ(p->mask, (Bytes{0x0F, 0xF0, 0x0F, 0xFF}));
}

TEST(UdpHex, RefusesWhatIsNotHex) {
  EXPECT_FALSE(ParseHex("1x", false));
  EXPECT_FALSE(ParseHex("g1", true));
  EXPECT_FALSE(ParseHex("", false));
  EXPECT_FALSE(ParseHex("   ", false));
  EXPECT_TRUE(ParseHex(" \t01\t02 ", false));
}

ReplyRule Rule(std::optional<std::string> require, std::optional<int> min = std::nullopt,
               std::optional<int> max = std::nullopt) {
  std::string err;
  auto r = MakeRule(require.has_value(), require.value_or(""), min, max, &err);
  EXPECT_TRUE(r) << err;
  return r.value_or(ReplyRule{});
}

const char* Check(const ReplyRule& r, const Bytes& reply) {
  std::string detail;
  return CheckReply(r, reply, &detail);
}

TEST(UdpReply, WithoutRequireReplyAnythingPasses) {
  ReplyRule r = Rule(std::nullopt, 10, 20);
  EXPECT_EQ(Check(r, {}), nullptr);
  EXPECT_EQ(Check(r, Bytes(300, 1)), nullptr);
}

TEST(UdpReply, RequireReplyChecksLengthsWithKeepalivedDefaults) {
  ReplyRule r = Rule("");
  EXPECT_EQ(r.min_length, 0u);
  EXPECT_EQ(r.max_length, 255u);
  EXPECT_EQ(Check(r, {}), nullptr);
  EXPECT_EQ(Check(r, Bytes(255, 1)), nullptr);
  EXPECT_STREQ(Check(r, Bytes(256, 1)), "udp-reply-long");
  ReplyRule bounded = Rule("", 4, 8);
  EXPECT_STREQ(Check(bounded, Bytes(3, 0)), "udp-reply-short");
  EXPECT_EQ(Check(bounded, Bytes(4, 0)), nullptr);
  EXPECT_EQ(Check(bounded, Bytes(8, 0)), nullptr);
  EXPECT_STREQ(Check(bounded, Bytes(9, 0)), "udp-reply-long");
}

TEST(UdpReply, PatternMatchesOverTheShorterLength) {
  ReplyRule r = Rule("de ad be ef");
  EXPECT_EQ(Check(r, {0xde, 0xad, 0xbe, 0xef}), nullptr);
  EXPECT_EQ(Check(r, {0xde, 0xad}), nullptr);                    // shorter reply
  EXPECT_EQ(Check(r, {0xde, 0xad, 0xbe, 0xef, 0x00}), nullptr);  // longer reply
  EXPECT_STREQ(Check(r, {0xde, 0xad, 0xbe, 0xee}), "udp-reply-mismatch");
  EXPECT_STREQ(Check(r, {0xdf}), "udp-reply-mismatch");
}

TEST(UdpReply, WildcardsIgnoreNibbles) {
  ReplyRule r = Rule("01 x2 3X");
  EXPECT_EQ(Check(r, {0x01, 0xf2, 0x3a}), nullptr);
  EXPECT_EQ(Check(r, {0x01, 0x02, 0x30}), nullptr);
  EXPECT_STREQ(Check(r, {0x01, 0xf3, 0x3a}), "udp-reply-mismatch");
  EXPECT_STREQ(Check(r, {0x01, 0xf2, 0x4a}), "udp-reply-mismatch");
}

TEST(UdpReply, BadRequireReplyIsAnError) {
  std::string err;
  EXPECT_FALSE(MakeRule(true, "zz", std::nullopt, std::nullopt, &err));
  EXPECT_NE(err.find("zz"), std::string::npos);
}

}  // namespace
}  // namespace vigil::check::udp
