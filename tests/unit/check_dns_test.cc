// DNS_CHECK's query and reply verdict (check/dns.h): keepalived's defaults and types, and a
// named failure, without a loop or an over-read, for every malformed reply.
#include <gtest/gtest.h>

#include <random>

#include "check/dns.h"

namespace vigil::check::dns {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Query(uint16_t id, std::string_view name = ".", uint16_t type = kTypeSoa) {
  std::string err;
  auto q = BuildQuery(id, name, type, &err);
  EXPECT_TRUE(q) << err;
  return q.value_or(Bytes{});
}

void Put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

// A reply to `q`: its header and question, QR and RA set, then `records` appended as given
// (ANCOUNT = `an`).
Bytes ReplyTo(const Bytes& q, uint16_t an = 0, const Bytes& records = {}) {
  Bytes r = q;
  Put16(r, 2, 0x8180);
  Put16(r, 6, an);
  r.insert(r.end(), records.begin(), records.end());
  return r;
}

// One record: a pointer to the question's name (offset 12), type, class IN, TTL 60, rdata.
Bytes Record(uint16_t type, const Bytes& rdata) {
  Bytes r = {0xC0,
             12,
             static_cast<uint8_t>(type >> 8),
             static_cast<uint8_t>(type),
             0,
             1,
             0,
             0,
             0,
             60,
             static_cast<uint8_t>(rdata.size() >> 8),
             static_cast<uint8_t>(rdata.size())};
  r.insert(r.end(), rdata.begin(), rdata.end());
  return r;
}

Reply Parse(const Bytes& reply, const Bytes& query) { return ParseReply(reply, query); }

TEST(DnsQuery, KeepalivedDefaultIsSoaForTheRoot) {
  // id, RD, QDCOUNT 1, the root name, type SOA (6), class IN.
  EXPECT_EQ(Query(0x1234), (Bytes{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1}));
  EXPECT_EQ(Query(7, ""), Query(7, "."));
}

TEST(DnsQuery, NamesAreLabelsWithOrWithoutTheFinalDot) {
  Bytes q = Query(1, "www.example.test", 1);
  Bytes name(q.begin() + 12, q.end() - 4);
  EXPECT_EQ(name, (Bytes{3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's',
                         't', 0}));
  EXPECT_EQ(Query(1, "www.example.test.", 1), q);
}

TEST(DnsQuery, RefusesNamesThatCannotBeEncoded) {
  std::string err;
  EXPECT_FALSE(BuildQuery(1, "a..b", 1, &err));
  EXPECT_FALSE(BuildQuery(1, ".a", 1, &err));
  EXPECT_FALSE(BuildQuery(1, "a..", 1, &err));
  EXPECT_FALSE(BuildQuery(1, std::string(64, 'a') + ".test", 1, &err));
  EXPECT_TRUE(BuildQuery(1, std::string(63, 'a') + ".test", 1, &err));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  EXPECT_FALSE(BuildQuery(1, long_name, 1, &err));
  EXPECT_NE(err.find("255"), std::string::npos);
}

TEST(DnsQuery, KeepalivedTypeNames) {
  EXPECT_EQ(TypeCode("A"), 1);
  EXPECT_EQ(TypeCode("ns"), 2);
  EXPECT_EQ(TypeCode("CNAME"), 5);
  EXPECT_EQ(TypeCode("Soa"), 6);
  EXPECT_EQ(TypeCode("MX"), 15);
  EXPECT_EQ(TypeCode("TXT"), 16);
  EXPECT_EQ(TypeCode("AAAA"), 28);
  EXPECT_FALSE(TypeCode("PTR"));
  EXPECT_FALSE(TypeCode(""));
}

TEST(DnsReply, AnswerWithACompressedNamePasses) {
  Bytes q = Query(0xBEEF, "example.test", 1);
  Reply r = Parse(ReplyTo(q, 1, Record(1, {192, 0, 2, 7})), q);
  EXPECT_EQ(r.failure, Failure::kNone) << r.detail;
  EXPECT_EQ(r.answers, 1);
  EXPECT_EQ(r.answers_of_type, 1);
}

TEST(DnsReply, NoErrorWithoutAnswersPassesAsInKeepalived) {
  Bytes q = Query(5);
  Reply r = Parse(ReplyTo(q), q);
  EXPECT_EQ(r.failure, Failure::kNone);
  EXPECT_EQ(r.answers, 0);
}

TEST(DnsReply, QuestionNamesCompareWithoutCase) {
  Bytes q = Query(5, "example.test", 1);
  Bytes r = ReplyTo(q);
  r[13] = 'E';
  r[14] = 'X';
  EXPECT_EQ(Parse(r, q).failure, Failure::kNone);
}

TEST(DnsReply, ShorterThanAHeader) {
  Bytes q = Query(5);
  Bytes r = ReplyTo(q);
  r.resize(11);
  EXPECT_EQ(Parse(r, q).failure, Failure::kShort);
  EXPECT_EQ(Parse({}, q).failure, Failure::kShort);
  EXPECT_STREQ(FailureName(Failure::kShort), "dns-short");
  EXPECT_TRUE(Ignorable(Failure::kShort));
}

TEST(DnsReply, WrongIdAndQueriesAreIgnorable) {
  Bytes q = Query(0x0102);
  Bytes r = ReplyTo(q);
  r[1] = 0x03;
  EXPECT_EQ(Parse(r, q).failure, Failure::kWrongId);
  EXPECT_STREQ(FailureName(Failure::kWrongId), "dns-wrong-id");
  EXPECT_TRUE(Ignorable(Failure::kWrongId));
  EXPECT_EQ(Parse(q, q).failure, Failure::kNotResponse);  // our own query echoed
  EXPECT_STREQ(FailureName(Failure::kNotResponse), "dns-not-response");
  EXPECT_TRUE(Ignorable(Failure::kNotResponse));
  EXPECT_FALSE(Ignorable(Failure::kRcode));
  EXPECT_FALSE(Ignorable(Failure::kTruncated));
}

TEST(DnsReply, NonZeroRcodeIsNamed) {
  Bytes q = Query(9);
  Bytes r = ReplyTo(q);
  r[3] = 0x82;  // SERVFAIL
  Reply v = Parse(r, q);
  EXPECT_EQ(v.failure, Failure::kRcode);
  EXPECT_EQ(v.rcode, 2);
  EXPECT_NE(v.detail.find("SERVFAIL"), std::string::npos) << v.detail;
  EXPECT_STREQ(FailureName(Failure::kRcode), "dns-rcode");
  EXPECT_EQ(RcodeName(3), "NXDOMAIN");
  EXPECT_EQ(RcodeName(5), "REFUSED");
  EXPECT_EQ(RcodeName(15), "RCODE15");
}

TEST(DnsReply, TruncatedBitFails) {
  Bytes q = Query(9);
  Bytes r = ReplyTo(q);
  r[2] |= 0x02;
  EXPECT_EQ(Parse(r, q).failure, Failure::kTruncated);
  EXPECT_STREQ(FailureName(Failure::kTruncated), "dns-truncated");
}

TEST(DnsReply, QuestionMismatch) {
  Bytes q = Query(9, "example.test", 1);
  Bytes none = ReplyTo(q);
  Put16(none, 4, 0);
  none.resize(12);
  EXPECT_EQ(Parse(none, q).failure, Failure::kQuestionMismatch);
  Bytes other_name = ReplyTo(q);
  other_name[13] = 'z';
  EXPECT_EQ(Parse(other_name, q).failure, Failure::kQuestionMismatch);
  Bytes other_type = ReplyTo(q);
  other_type[other_type.size() - 3] = 28;
  EXPECT_EQ(Parse(other_type, q).failure, Failure::kQuestionMismatch);
  Bytes other_class = ReplyTo(q);
  other_class.back() = 3;
  EXPECT_EQ(Parse(other_class, q).failure, Failure::kQuestionMismatch);
  EXPECT_STREQ(FailureName(Failure::kQuestionMismatch), "dns-question-mismatch");
}

TEST(DnsReply, PointerToItselfIsALoop) {
  Bytes q = Query(9);
  size_t at = q.size();
  Bytes rec = Record(6, {});
  Bytes r = ReplyTo(q, 1, rec);
  r[at] = 0xC0;
  r[at + 1] = static_cast<uint8_t>(at);
  Reply v = Parse(r, q);
  EXPECT_EQ(v.failure, Failure::kBadPointer);
  EXPECT_NE(v.detail.find("loop"), std::string::npos) << v.detail;
  EXPECT_STREQ(FailureName(Failure::kBadPointer), "dns-bad-pointer");
}

TEST(DnsReply, TwoPointersInACycleAreALoop) {
  // A label then a pointer back to it: the label is read again and again in a naive decoder.
  Bytes q = Query(9);
  size_t at = q.size();
  Bytes name = {1, 'x', 0xC0, static_cast<uint8_t>(at)};
  Bytes rec = name;
  Bytes fixed = {0, 6, 0, 1, 0, 0, 0, 60, 0, 0};
  rec.insert(rec.end(), fixed.begin(), fixed.end());
  EXPECT_EQ(Parse(ReplyTo(q, 1, rec), q).failure, Failure::kBadPointer);
}

TEST(DnsReply, ForwardPointerFails) {
  Bytes q = Query(9);
  Bytes rec = Record(6, {});
  Bytes r = ReplyTo(q, 1, rec);
  r[q.size() + 1] = static_cast<uint8_t>(r.size() - 1);
  EXPECT_EQ(Parse(r, q).failure, Failure::kBadPointer);
}

TEST(DnsReply, TooManyPointersFail) {
  // An authority record holds, as its rdata, the root name then a chain of 40 pointers, each
  // to the one before it (backwards, so not a loop); an additional record is named by a
  // pointer to the last link.
  Bytes q = Query(9);
  Bytes r = ReplyTo(q);
  Put16(r, 8, 1);   // NSCOUNT
  Put16(r, 10, 1);  // ARCOUNT
  constexpr int kLinks = 40;
  uint16_t rdlength = 1 + 2 * kLinks;
  Bytes pad = {0,
               0,
               1,
               0,
               1,
               0,
               0,
               0,
               60,
               static_cast<uint8_t>(rdlength >> 8),
               static_cast<uint8_t>(rdlength)};
  r.insert(r.end(), pad.begin(), pad.end());
  size_t chain = r.size();
  r.push_back(0);
  for (int i = 0; i < kLinks; ++i) {
    size_t prev = i == 0 ? chain : chain + 1 + 2 * (i - 1);
    r.push_back(static_cast<uint8_t>(0xC0 | prev >> 8));
    r.push_back(static_cast<uint8_t>(prev));
  }
  size_t last = chain + 1 + 2 * (kLinks - 1);
  Bytes rec = {static_cast<uint8_t>(0xC0 | last >> 8),
               static_cast<uint8_t>(last),
               0,
               6,
               0,
               1,
               0,
               0,
               0,
               60,
               0,
               0};
  r.insert(r.end(), rec.begin(), rec.end());
  Reply v = Parse(r, q);
  EXPECT_EQ(v.failure, Failure::kBadPointer) << v.detail;
  EXPECT_NE(v.detail.find("more than"), std::string::npos) << v.detail;
}

TEST(DnsReply, ReservedLabelTypesAndLongNamesAreBadNames) {
  Bytes q = Query(9);
  Bytes r = ReplyTo(q, 1, Record(6, {}));
  r[q.size()] = 0x40;
  EXPECT_EQ(Parse(r, q).failure, Failure::kBadName);
  EXPECT_STREQ(FailureName(Failure::kBadName), "dns-bad-name");
  // A 260-byte name of valid labels.
  Bytes name;
  for (int i = 0; i < 5; ++i) {
    name.push_back(51);
    name.insert(name.end(), 51, 'a');
  }
  name.push_back(0);
  Bytes rec = name;
  Bytes fixed = {0, 6, 0, 1, 0, 0, 0, 60, 0, 0};
  rec.insert(rec.end(), fixed.begin(), fixed.end());
  EXPECT_EQ(Parse(ReplyTo(q, 1, rec), q).failure, Failure::kBadName);
}

TEST(DnsReply, CountsAndLengthsPastTheEndAreBadLengths) {
  Bytes q = Query(9, "example.test", 1);
  Bytes one = Record(1, {192, 0, 2, 7});
  EXPECT_EQ(Parse(ReplyTo(q, 2, one), q).failure, Failure::kBadLength);
  Bytes big = ReplyTo(q, 1, one);
  Put16(big, big.size() - 6, 5);  // rdlength 5 with 4 bytes left
  EXPECT_EQ(Parse(big, q).failure, Failure::kBadLength);
  Bytes cut_label = ReplyTo(q, 1, Bytes{10, 'a', 'b'});
  EXPECT_EQ(Parse(cut_label, q).failure, Failure::kBadLength);
  Bytes cut_pointer = ReplyTo(q, 1, Bytes{0xC0});
  EXPECT_EQ(Parse(cut_pointer, q).failure, Failure::kBadLength);
  Bytes cut_fixed = ReplyTo(q, 1, Bytes{0xC0, 12, 0, 1});
  EXPECT_EQ(Parse(cut_fixed, q).failure, Failure::kBadLength);
  Bytes cut_question = ReplyTo(q);
  cut_question.resize(cut_question.size() - 2);
  EXPECT_EQ(Parse(cut_question, q).failure, Failure::kBadLength);
  EXPECT_STREQ(FailureName(Failure::kBadLength), "dns-bad-length");
}

TEST(DnsReply, EveryTruncationOfAGoodReplyFailsByName) {
  Bytes q = Query(0x4242, "example.test", 1);
  Bytes good = ReplyTo(q, 2, Record(5, {0xC0, 12}));
  Bytes a = Record(1, {192, 0, 2, 7});
  good.insert(good.end(), a.begin(), a.end());
  ASSERT_EQ(Parse(good, q).failure, Failure::kNone);
  for (size_t n = 0; n < good.size(); ++n) {
    Bytes cut(good.begin(), good.begin() + static_cast<long>(n));
    Reply r = Parse(cut, q);
    EXPECT_NE(r.failure, Failure::kNone) << "cut at " << n;
    EXPECT_STRNE(FailureName(r.failure), "");
  }
}

TEST(DnsReply, RandomBytesAfterAGoodHeaderNeverPassUnnoticedOrOverRead) {
  // Under ASan this also proves no read past the datagram.
  Bytes q = Query(0x4242, "example.test", 1);
  std::mt19937 gen(1);
  for (int i = 0; i < 20000; ++i) {
    Bytes r = ReplyTo(q);
    Put16(r, 6, static_cast<uint16_t>(gen() % 4));
    Put16(r, 8, static_cast<uint16_t>(gen() % 3));
    size_t n = gen() % 64;
    for (size_t k = 0; k < n; ++k) {
      uint8_t b = static_cast<uint8_t>(gen());
      if (gen() % 4 == 0) b |= 0xC0;
      r.push_back(b);
    }
    Reply v = Parse(r, q);
    if (v.failure == Failure::kNone) {
      EXPECT_LE(v.answers_of_type, v.answers);
    }
  }
}

}  // namespace
}  // namespace vigil::check::dns
