// HTTP_GET / SSL_GET url blocks (keepalived.conf(5)): status_code lists and ranges, digest
// (genhash's MD5), regex / regex_no_match with offsets, each failure with its name.
#include <gtest/gtest.h>

#include "check/http_verdict.h"

namespace vigil::check {
namespace {

std::unique_ptr<UrlMatcher> M(const model::UrlConf& u) {
  std::string err;
  auto m = UrlMatcher::Compile(u, &err);
  EXPECT_TRUE(m) << err;
  return m;
}

HttpFailure Eval(const UrlMatcher& m, int status, std::string_view body, bool complete = true) {
  return m.Evaluate(HttpResponse{status, body, complete});
}

TEST(KeepalivedHttpGet, StatusCodeDefaultIs200To299) {
  auto m = M(model::UrlConf{});
  EXPECT_EQ(Eval(*m, 200, ""), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 299, ""), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 301, ""), HttpFailure::kStatus);
  EXPECT_EQ(Eval(*m, 503, ""), HttpFailure::kStatus);
  EXPECT_STREQ(HttpFailureName(HttpFailure::kStatus), "status_code");
}

TEST(KeepalivedHttpGet, StatusCodeListsAndRanges) {
  model::UrlConf u;
  u.status_codes = {{200, 200}, {400, 499}, {503, 503}};
  auto m = M(u);
  EXPECT_EQ(Eval(*m, 200, ""), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 404, ""), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 503, ""), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 201, ""), HttpFailure::kStatus);
  EXPECT_EQ(Eval(*m, 502, ""), HttpFailure::kStatus);
}

TEST(KeepalivedHttpGet, DigestIsTheBodysMd5) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");  // RFC 1321 test suite
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  model::UrlConf u;
  u.digest = "900150983CD24FB0D6963F7D28E17F72";  // case does not matter
  auto m = M(u);
  EXPECT_EQ(Eval(*m, 200, "abc"), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 200, "abd"), HttpFailure::kDigest);
  EXPECT_EQ(Eval(*m, 200, "abc", /*complete=*/false), HttpFailure::kBodyIncomplete);
  EXPECT_EQ(Eval(*m, 500, "abc"), HttpFailure::kStatus);  // status first
  EXPECT_TRUE(m->needs_body());
  EXPECT_FALSE(M(model::UrlConf{})->needs_body());
}

TEST(KeepalivedHttpGet, StreamedDigestOfABodyLongerThanTheKeptWindow) {
  Md5Stream md5;
  md5.Update("a");
  md5.Update("bc");
  std::string hex = md5.HexFinal();
  EXPECT_EQ(hex, "900150983cd24fb0d6963f7d28e17f72");
  model::UrlConf u;
  u.digest = hex;
  auto m = M(u);
  HttpResponse r{200, "", true, hex, /*body_cut=*/true};
  EXPECT_EQ(m->Evaluate(r), HttpFailure::kNone);  // the streamed MD5, not the kept prefix
  r.body_md5 = "00000000000000000000000000000000";
  EXPECT_EQ(m->Evaluate(r), HttpFailure::kDigest);
  EXPECT_EQ(m->window(), 0u);  // a digest alone keeps no body
}

TEST(KeepalivedHttpGet, RegexWindowAndCutBodies) {
  model::UrlConf u;
  u.regex = "needle";
  auto m = M(u);
  EXPECT_EQ(m->window(), UrlMatcher::kRegexWindow);
  // Not in a kept prefix of a longer body: unknown, not "not found".
  EXPECT_EQ(m->Evaluate(HttpResponse{200, "hay", true, "", true}), HttpFailure::kBodyIncomplete);
  EXPECT_EQ(m->Evaluate(HttpResponse{200, "hay", true, "", false}), HttpFailure::kRegexNotFound);
  u.regex_max_offset = 10;
  auto bounded = M(u);
  EXPECT_EQ(bounded->window(), 10 + UrlMatcher::kRegexTail);
  // With regex_max_offset the window holds every possible start: a cut body is decided.
  EXPECT_EQ(bounded->Evaluate(HttpResponse{200, "hay", true, "", true}),
            HttpFailure::kRegexNotFound);
}

TEST(KeepalivedHttpGet, RegexAndRegexNoMatch) {
  model::UrlConf u;
  u.regex = "status: (ok|ready)";
  auto m = M(u);
  EXPECT_EQ(Eval(*m, 200, "x\nstatus: ready\n"), HttpFailure::kNone);
  EXPECT_EQ(Eval(*m, 200, "status: down"), HttpFailure::kRegexNotFound);
  EXPECT_EQ(Eval(*m, 200, "status: do", false), HttpFailure::kBodyIncomplete);
  u.regex_no_match = true;
  auto n = M(u);
  EXPECT_EQ(Eval(*n, 200, "status: ok"), HttpFailure::kRegexFound);
  EXPECT_EQ(Eval(*n, 200, "status: down"), HttpFailure::kNone);
}

TEST(KeepalivedHttpGet, RegexOffsetsAndOptions) {
  model::UrlConf u;
  u.regex = "ok";
  u.regex_min_offset = 4;
  u.regex_max_offset = 6;
  auto m = M(u);
  EXPECT_EQ(Eval(*m, 200, "ok.......ok"), HttpFailure::kRegexNotFound);  // at 0 and 9
  EXPECT_EQ(Eval(*m, 200, "....ok"), HttpFailure::kNone);                // at 4
  EXPECT_EQ(Eval(*m, 200, "......ok"), HttpFailure::kNone);              // at 6
  EXPECT_EQ(Eval(*m, 200, "ok"), HttpFailure::kRegexNotFound);           // shorter than min
  model::UrlConf c;
  c.regex = "^READY$";
  c.regex_options = {"caseless", "multiline"};
  auto k = M(c);
  EXPECT_EQ(Eval(*k, 200, "a\nready\nb"), HttpFailure::kNone);
  // Binary bodies are bytes, not UTF-8.
  model::UrlConf b;
  b.regex = "\\xff\\x00?ok";
  auto bin = M(b);
  EXPECT_EQ(Eval(*bin, 200,
                 std::string_view("\xff"
                                  "ok",
                                  3)),
            HttpFailure::kNone);
}

TEST(KeepalivedHttpGet, BadRegexOrOptionIsAnError) {
  std::string err;
  model::UrlConf u;
  u.regex = "(unclosed";
  EXPECT_FALSE(UrlMatcher::Compile(u, &err));
  EXPECT_NE(err.find("(unclosed"), std::string::npos);
  u.regex = "ok";
  u.regex_options = {"auto_callout"};
  EXPECT_FALSE(UrlMatcher::Compile(u, &err));
  EXPECT_NE(err.find("auto_callout"), std::string::npos);
  // A backreference (PCRE) has no RE2 form: refused, not run in exponential time.
  u.regex_options.clear();
  u.regex = "(a)\\1";
  EXPECT_FALSE(UrlMatcher::Compile(u, &err));
}

}  // namespace
}  // namespace vigil::check
