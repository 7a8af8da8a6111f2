// SMTP_CHECK's reply reader and dialogue (check/smtp.h): multi-line replies fed in any
// pieces, caps on line and total length, and keepalived's banner / HELO / QUIT steps.
#include <gtest/gtest.h>

#include "check/smtp.h"

namespace vigil::check::smtp {
namespace {

using Status = ReplyReader::Status;

TEST(SmtpReply, OneLine) {
  ReplyReader r;
  ASSERT_EQ(r.Feed("220 mail.example.test ESMTP\r\n"), Status::kReply);
  Reply got = r.Take();
  EXPECT_EQ(got.code, 220);
  EXPECT_EQ(got.text, "mail.example.test ESMTP");
  EXPECT_EQ(got.lines, 1);
}

TEST(SmtpReply, MultiLineFedOneByteAtATime) {
  ReplyReader r;
  std::string text = "220-first\r\n220-second\r\n220 last\r\n";
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    ASSERT_EQ(r.Feed(text.substr(i, 1)), Status::kMore) << i;
  }
  ASSERT_EQ(r.Feed(text.substr(text.size() - 1)), Status::kReply);
  Reply got = r.Take();
  EXPECT_EQ(got.code, 220);
  EXPECT_EQ(got.lines, 3);
  EXPECT_EQ(got.text, "first\nsecond\nlast");
}

TEST(SmtpReply, BareLineFeedAndCodeOnly) {
  ReplyReader r;
  ASSERT_EQ(r.Feed("250\n"), Status::kReply);
  EXPECT_EQ(r.Take().code, 250);
}

TEST(SmtpReply, WhatFollowsAReplyIsKeptForTheNext) {
  ReplyReader r;
  ASSERT_EQ(r.Feed("220 hi\r\n250-a\r\n250 b\r\n"), Status::kReply);
  EXPECT_EQ(r.Take().code, 220);
  ASSERT_EQ(r.Feed({}), Status::kReply);
  Reply second = r.Take();
  EXPECT_EQ(second.code, 250);
  EXPECT_EQ(second.lines, 2);
  EXPECT_EQ(r.Feed({}), Status::kMore);
}

TEST(SmtpReply, MalformedLinesAreBadReplies) {
  for (std::string bad :
       {"hello\r\n", "22\r\n", "220x\r\n", "600 no\r\n", "120 no\r\n", "2a0 no\r\n", "\r\n"}) {
    ReplyReader r;
    EXPECT_EQ(r.Feed(bad), Status::kError) << bad;
    EXPECT_EQ(r.failure(), "smtp-bad-reply") << bad;
  }
}

TEST(SmtpReply, ContinuationWithAnotherCodeIsABadReply) {
  ReplyReader r;
  EXPECT_EQ(r.Feed("220-a\r\n250 b\r\n"), Status::kError);
  EXPECT_EQ(r.failure(), "smtp-bad-reply");
  EXPECT_EQ(r.Feed("220 c\r\n"), Status::kError);  // stays failed
}

TEST(SmtpReply, LineLengthIsCapped) {
  ReplyReader r(100, 10000);
  EXPECT_EQ(r.Feed("220 " + std::string(94, 'a') + "\r\n"), Status::kReply);  // 100 bytes
  r.Take();
  EXPECT_EQ(r.Feed("220 " + std::string(95, 'a')), Status::kMore);  // 99 bytes, no end yet
  EXPECT_EQ(r.Feed("a"), Status::kError);                           // 100 without a newline
  EXPECT_EQ(r.failure(), "smtp-line-too-long");
  ReplyReader r2(100, 10000);
  EXPECT_EQ(r2.Feed("220 " + std::string(96, 'a') + "\n"), Status::kError);  // 101 with LF
  EXPECT_EQ(r2.failure(), "smtp-line-too-long");
}

TEST(SmtpReply, TotalIsCappedAcrossManyLines) {
  ReplyReader r(100, 1000);
  Status s = Status::kMore;
  int lines = 0;
  while (s == Status::kMore && lines < 1000) {
    s = r.Feed("220-endless continuation\r\n");
    ++lines;
  }
  EXPECT_EQ(s, Status::kError);
  EXPECT_EQ(r.failure(), "smtp-too-long");
  EXPECT_LT(lines, 60);
}

TEST(SmtpDialogue, KeepalivedSteps) {
  Dialogue d("");
  EXPECT_EQ(d.phase(), Phase::kBanner);
  auto s = d.OnReply({220, "hi", 1});
  ASSERT_EQ(s.kind, Dialogue::Step::kWrite);
  EXPECT_EQ(s.bytes, "HELO smtpchecker.keepalived.org\r\n");
  EXPECT_EQ(d.phase(), Phase::kHelo);
  s = d.OnReply({250, "hello", 1});
  ASSERT_EQ(s.kind, Dialogue::Step::kWrite);
  EXPECT_EQ(s.bytes, "QUIT\r\n");
  EXPECT_EQ(d.phase(), Phase::kQuit);
  EXPECT_EQ(d.OnReply({221, "bye", 1}).kind, Dialogue::Step::kPass);
}

TEST(SmtpDialogue, HeloNameAndAnyQuitReply) {
  Dialogue d("checker.example.test");
  EXPECT_EQ(d.OnReply({220, "", 1}).bytes, "HELO checker.example.test\r\n");
  d.OnReply({250, "", 1});
  EXPECT_EQ(d.OnReply({554, "whatever", 1}).kind, Dialogue::Step::kPass);  // as keepalived
}

TEST(SmtpDialogue, BannerFailuresNameTheClass) {
  struct Case {
    int code;
    const char* failure;
  };
  for (Case c : {Case{421, "smtp-banner-4xx"}, Case{554, "smtp-banner-5xx"},
                 Case{250, "smtp-banner-unexpected"}, Case{354, "smtp-banner-unexpected"}}) {
    Dialogue d("");
    auto s = d.OnReply({c.code, "go away", 1});
    EXPECT_EQ(s.kind, Dialogue::Step::kFail);
    EXPECT_EQ(s.failure, c.failure);
    EXPECT_NE(s.detail.find(std::to_string(c.code)), std::string::npos) << s.detail;
  }
}

TEST(SmtpDialogue, HeloFailuresNameTheClass) {
  struct Case {
    int code;
    const char* failure;
  };
  for (Case c : {Case{451, "smtp-helo-4xx"}, Case{550, "smtp-helo-5xx"},
                 Case{220, "smtp-helo-unexpected"}}) {
    Dialogue d("");
    d.OnReply({220, "", 1});
    auto s = d.OnReply({c.code, "no", 1});
    EXPECT_EQ(s.kind, Dialogue::Step::kFail);
    EXPECT_EQ(s.failure, c.failure);
  }
}

TEST(SmtpDialogue, PhaseNamesAndHeloValidity) {
  EXPECT_STREQ(PhaseName(Phase::kBanner), "smtp-banner");
  EXPECT_STREQ(PhaseName(Phase::kHelo), "smtp-helo");
  EXPECT_STREQ(PhaseName(Phase::kQuit), "smtp-quit");
  EXPECT_TRUE(ValidHeloName("a.example.test"));
  EXPECT_TRUE(ValidHeloName(""));
  EXPECT_FALSE(ValidHeloName("a\r\nMAIL FROM:<x>"));
  EXPECT_FALSE(ValidHeloName(std::string("a\0b", 3)));
}

}  // namespace
}  // namespace vigil::check::smtp
