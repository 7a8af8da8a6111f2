// What an HTTP_GET / SSL_GET `url` block accepts (keepalived.conf(5)): the status code within
// the status_code list (default 200-299), the body's MD5 equal to `digest`, and `regex` found
// (or, with regex_no_match, not found) in the body, its match starting between
// regex_min_offset and regex_max_offset. Pure; the regex is RE2 (linear time on untrusted
// bodies), compiled once per url.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/config.h"

namespace re2 {
class RE2;
}

namespace vigil::check {

enum class HttpFailure {
  kNone,
  kStatus,          // status code outside the accepted list
  kDigest,          // body MD5 differs from `digest`
  kRegexNotFound,   // `regex` set and not found
  kRegexFound,      // regex_no_match: the regex was found
  kBodyIncomplete,  // digest or regex needs the whole body and it was cut short
};
const char* HttpFailureName(HttpFailure f);

struct HttpResponse {
  int status = 0;
  std::string_view body;      // what was read (a prober caps it)
  bool body_complete = true;  // false: the reader stopped at its cap or the peer closed early
  // The MD5 (lower-case hex) of the whole body when the reader streamed it through Md5Stream
  // beyond what it kept in `body`; empty: the digest is taken of `body`.
  std::string_view body_md5;
  // `body` is only the first window() bytes of a longer body (the rest was streamed past).
  bool body_cut = false;
};

// MD5 over a body read in pieces, for digests of bodies larger than what a reader keeps.
class Md5Stream {
 public:
  Md5Stream();
  ~Md5Stream();
  Md5Stream(const Md5Stream&) = delete;
  Md5Stream& operator=(const Md5Stream&) = delete;
  void Update(std::string_view piece);
  std::string HexFinal();  // once

 private:
  void* ctx_;  // EVP_MD_CTX
};

class UrlMatcher {
 public:
  // nullptr and *error set if the url cannot be used (a bad regex or regex option).
  static std::unique_ptr<UrlMatcher> Compile(const model::UrlConf& url, std::string* error);
  ~UrlMatcher();
  HttpFailure Evaluate(const HttpResponse& r) const;
  bool needs_body() const { return !digest_.empty() || regex_ != nullptr; }
  bool needs_digest() const { return !digest_.empty(); }
  // How many leading body bytes the regex needs kept: enough for a match starting at
  // regex_max_offset (plus kRegexTail for the match itself), else kRegexWindow. 0: none.
  size_t window() const;
  static constexpr size_t kRegexWindow = 1 << 20;
  static constexpr size_t kRegexTail = 64 << 10;

 private:
  UrlMatcher() = default;
  std::vector<model::StatusRange> status_;
  std::string digest_;  // lower-case hex, or empty
  std::unique_ptr<re2::RE2> regex_;
  bool no_match_ = false;
  size_t min_offset_ = 0;
  std::optional<size_t> max_offset_;
};

// MD5 of `data` as lower-case hex (what genhash prints).
std::string Md5Hex(std::string_view data);

}  // namespace vigil::check
