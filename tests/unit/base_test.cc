#include <gtest/gtest.h>

#include "base/diagnostics.h"
#include "base/ip.h"
#include "base/strings.h"

namespace vigil::base {
namespace {

TEST(IpAddress, ParsesAndPrintsIPv4) {
  auto a = IpAddress::Parse("192.0.2.10");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->is_v4());
  EXPECT_EQ(a->ToString(), "192.0.2.10");
  EXPECT_EQ(a->v4_host_order(), 0xC000020Au);
}

TEST(IpAddress, RejectsMalformedIPv4) {
  for (const char* s : {"192.0.2.300", "192.0.2", "192.0.2.1.5", "1..2.3", "a.b.c.d", "",
                        "192.0.2.1 ", "1234.0.0.1"}) {
    EXPECT_FALSE(IpAddress::Parse(s)) << s;
  }
}

TEST(IpAddress, IPv6CanonicalFormFollowsRfc5952) {
  EXPECT_EQ(IpAddress::Parse("2001:db8:0:0:0:0:0:1")->ToString(), "2001:db8::1");
  EXPECT_EQ(IpAddress::Parse("2001:0db8:0000:0001:0000:0000:0000:0001")->ToString(),
            "2001:db8:0:1::1");
  EXPECT_EQ(IpAddress::Parse("::")->ToString(), "::");
  EXPECT_EQ(IpAddress::Parse("fe80::1:2")->ToString(), "fe80::1:2");
  EXPECT_EQ(IpAddress::Parse("::ffff:192.0.2.1")->ToString(), "::ffff:c000:201");
  EXPECT_EQ(IpAddress::Parse("2001:db8:0:0:1:0:0:1")->ToString(), "2001:db8::1:0:0:1");
}

TEST(IpAddress, RejectsMalformedIPv6) {
  for (const char* s : {"2001:db8::1::2", "12345::1", "2001:db8:1:2:3:4:5:6:7", "g::1", ":1",
                        "2001:db8:1:2:3:4:5"}) {
    EXPECT_FALSE(IpAddress::Parse(s)) << s;
  }
}

TEST(Prefix, ParsesLengthAndRejectsOutOfRange) {
  auto p = Prefix::Parse("192.0.2.0/24");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->length, 24);
  EXPECT_EQ(Prefix::Parse("192.0.2.1")->length, 32);
  EXPECT_EQ(Prefix::Parse("2001:db8::/32")->ToString(), "2001:db8::/32");
  EXPECT_FALSE(Prefix::Parse("192.0.2.1/33"));
  EXPECT_FALSE(Prefix::Parse("2001:db8::/129"));
  EXPECT_FALSE(Prefix::Parse("192.0.2.1/"));
}

TEST(Strings, SecondsHaveMicrosecondResolution) {
  EXPECT_EQ(ParseSeconds("1")->count(), 1'000'000);
  EXPECT_EQ(ParseSeconds("0.5")->count(), 500'000);
  EXPECT_EQ(ParseSeconds("2.000001")->count(), 2'000'001);
  EXPECT_FALSE(ParseSeconds("1.0000001"));
  EXPECT_FALSE(ParseSeconds("-1"));
  EXPECT_FALSE(ParseSeconds("soon"));
  EXPECT_FALSE(ParseSeconds("1."));
  EXPECT_EQ(FormatSeconds(Duration(1'500'000)), "1.5");
  EXPECT_EQ(FormatSeconds(Duration(3'000'000)), "3");
  EXPECT_EQ(FormatSeconds(Duration(10'000)), "0.01");
}

TEST(Strings, IntegersDetectOverflow) {
  EXPECT_EQ(*ParseInt("-253"), -253);
  EXPECT_FALSE(ParseUint("99999999999999999999999"));
  EXPECT_FALSE(ParseInt("12a"));
  EXPECT_FALSE(ParseInt("-"));
}

TEST(Strings, BoolsAreKeepalivedsSix) {
  EXPECT_TRUE(*ParseBool("on"));
  EXPECT_TRUE(*ParseBool("yes"));
  EXPECT_FALSE(*ParseBool("off"));
  EXPECT_FALSE(*ParseBool("false"));
  EXPECT_FALSE(ParseBool("1"));
}

}  // namespace
}  // namespace vigil::base

namespace vigil::base {
namespace {

TEST(Diagnostics, ListIsBoundedButKeepsTheWorstSeverity) {
  Diagnostics d;
  for (int i = 0; i < 20000; ++i) d.Note(SourceLoc{}, "n");
  d.Error(SourceLoc{}, "e");
  EXPECT_EQ(d.size(), 10001u);
  EXPECT_TRUE(d.HasAtLeast(Severity::kError));
  EXPECT_EQ(d.all().back().message, "10001 further diagnostics are not listed");
}

}  // namespace
}  // namespace vigil::base
