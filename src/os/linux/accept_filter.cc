#include "os/linux/accept_filter.h"

#include <nftables/libnftables.h>

namespace vigil::os {

AcceptFilter::~AcceptFilter() {
  Close();
  if (ctx_) nft_ctx_free(static_cast<nft_ctx*>(ctx_));
}

bool AcceptFilter::Run(const std::string& commands, std::string* error) {
  if (!ctx_) {
    nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
    if (!ctx) {
      *error = "nftables: cannot create a context";
      return false;
    }
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
    ctx_ = ctx;
  }
  auto* ctx = static_cast<nft_ctx*>(ctx_);
  int rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
  if (rc != 0) {
    const char* e = nft_ctx_get_error_buffer(ctx);
    *error = std::string("nftables: ") + (e && *e ? e : "command failed");
    while (!error->empty() && error->back() == '\n') error->pop_back();
  }
  return rc == 0;
}

bool AcceptFilter::Ensure(std::string* error) {
  if (created_) return true;
  // One transaction: drop a table left by a crash, then build ours. Priority -1 runs before
  // the usual filter chains (priority 0), so their accept rules cannot undo the drop.
  const std::string t = "inet " + table_;
  const std::string drop = options_.counters ? " counter drop\n" : " drop\n";
  std::string cmds = "add table " + t + "\n" + "delete table " + t + "\n" + "add table " + t +
                     "\n" + "add set " + t + " vips { type ipv4_addr; }\n" + "add set " + t +
                     " vips6 { type ipv6_addr; }\n" + "add chain " + t +
                     " in { type filter hook input priority " + std::to_string(options_.priority) +
                     "; policy accept; }\n" + "add rule " + t + " in ip daddr @vips" + drop +
                     "add rule " + t +
                     " in ip6 daddr @vips6 icmpv6 type { nd-neighbor-solicit, "
                     "nd-neighbor-advert } accept\n" +
                     "add rule " + t + " in ip6 daddr @vips6" + drop;
  if (!Run(cmds, error)) return false;
  created_ = true;
  return true;
}

bool AcceptFilter::Block(const base::IpAddress& a, std::string* error) {
  if (!Ensure(error)) return false;
  return Run(
      "add element inet " + table_ + (a.is_v4() ? " vips { " : " vips6 { ") + a.ToString() + " }",
      error);
}

bool AcceptFilter::Unblock(const base::IpAddress& a, std::string* error) {
  if (!created_) return true;
  // "delete element" fails for an absent element; "add" first makes the pair idempotent.
  const std::string set = "inet " + table_ + (a.is_v4() ? " vips { " : " vips6 { ");
  return Run(
      "add element " + set + a.ToString() + " }\ndelete element " + set + a.ToString() + " }",
      error);
}

void AcceptFilter::Close() {
  if (!created_) return;
  std::string ignored;
  Run("delete table inet " + table_, &ignored);
  created_ = false;
}

}  // namespace vigil::os
