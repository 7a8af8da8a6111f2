#include "check/http_verdict.h"

#include <openssl/evp.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>

namespace vigil::check {

const char* HttpFailureName(HttpFailure f) {
  switch (f) {
    case HttpFailure::kNone:
      return "ok";
    case HttpFailure::kStatus:
      return "status_code";
    case HttpFailure::kDigest:
      return "digest";
    case HttpFailure::kRegexNotFound:
      return "regex_not_found";
    case HttpFailure::kRegexFound:
      return "regex_found";
    case HttpFailure::kBodyIncomplete:
      return "body_incomplete";
  }
  return "?";
}

Md5Stream::Md5Stream() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_md5(), nullptr);
}
Md5Stream::~Md5Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Md5Stream::Update(std::string_view piece) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), piece.data(), piece.size());
}
std::string Md5Stream::HexFinal() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &len);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

std::string Md5Hex(std::string_view data) {
  Md5Stream md5;
  md5.Update(data);
  return md5.HexFinal();
}

UrlMatcher::~UrlMatcher() = default;

size_t UrlMatcher::window() const {
  if (!regex_) return 0;
  if (max_offset_) return *max_offset_ + kRegexTail;
  return std::max(kRegexWindow, min_offset_ + kRegexTail);
}

std::unique_ptr<UrlMatcher> UrlMatcher::Compile(const model::UrlConf& url, std::string* error) {
  std::unique_ptr<UrlMatcher> m(new UrlMatcher);
  m->status_ = url.status_codes;
  if (m->status_.empty()) {
    m->status_.push_back({model::defaults::kHttpStatusMin, model::defaults::kHttpStatusMax});
  }
  for (char c : url.digest) m->digest_ += static_cast<char>(std::tolower(c));
  m->no_match_ = url.regex_no_match;
  m->min_offset_ = url.regex_min_offset ? static_cast<size_t>(*url.regex_min_offset) : 0;
  if (url.regex_max_offset) m->max_offset_ = static_cast<size_t>(*url.regex_max_offset);
  if (!url.regex.empty()) {
    // keepalived's options are PCRE2's; those RE2 can express are mapped, the rest refused.
    RE2::Options o;
    o.set_log_errors(false);
    std::string flags;
    for (const auto& opt : url.regex_options) {
      if (opt == "caseless") {
        o.set_case_sensitive(false);
      } else if (opt == "multiline") {
        flags += "m";
      } else if (opt == "dotall") {
        flags += "s";
      } else if (opt == "ungreedy") {
        flags += "U";
      } else if (opt == "utf") {
        o.set_encoding(RE2::Options::EncodingUTF8);
      } else if (opt == "no_auto_capture" || opt == "use_offset_limit") {
        // no effect: RE2 reports no groups here; the offsets are applied below
      } else {
        *error = "regex_options: '" + opt + "' is not supported (RE2 syntax)";
        return nullptr;
      }
    }
    if (std::find(url.regex_options.begin(), url.regex_options.end(), "utf") ==
        url.regex_options.end()) {
      o.set_encoding(RE2::Options::EncodingLatin1);  // bodies are bytes
    }
    std::string pattern = flags.empty() ? url.regex : "(?" + flags + ")" + url.regex;
    m->regex_ = std::make_unique<RE2>(pattern, o);
    if (!m->regex_->ok()) {
      *error = "regex '" + url.regex + "': " + m->regex_->error();
      return nullptr;
    }
  }
  return m;
}

HttpFailure UrlMatcher::Evaluate(const HttpResponse& r) const {
  bool status_ok = false;
  for (const auto& s : status_) status_ok = status_ok || (r.status >= s.lo && r.status <= s.hi);
  if (!status_ok) return HttpFailure::kStatus;
  if (!digest_.empty()) {
    if (!r.body_complete) return HttpFailure::kBodyIncomplete;
    if ((r.body_md5.empty() ? Md5Hex(r.body) : std::string(r.body_md5)) != digest_) {
      return HttpFailure::kDigest;
    }
  }
  if (regex_) {
    bool found = false;
    if (min_offset_ <= r.body.size()) {
      re2::StringPiece match;
      found = regex_->Match(re2::StringPiece(r.body.data(), r.body.size()), min_offset_,
                            r.body.size(), RE2::UNANCHORED, &match, 1) &&
              (!max_offset_ || static_cast<size_t>(match.data() - r.body.data()) <= *max_offset_);
    }
    if (no_match_ && found) return HttpFailure::kRegexFound;
    if (!no_match_ && !found) {
      // A cut-short body may hold the match beyond the cut.
      // (with regex_max_offset the kept window holds every possible match start)
      bool all_seen = r.body_complete && (!r.body_cut || max_offset_);
      return all_seen ? HttpFailure::kRegexNotFound : HttpFailure::kBodyIncomplete;
    }
  }
  return HttpFailure::kNone;
}

}  // namespace vigil::check
