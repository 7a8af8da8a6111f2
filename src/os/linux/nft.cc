#include "os/linux/nft.h"

#include <nftables/libnftables.h>

namespace vigil::os {

Nft::Nft() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
  if (ctx_) {
    nft_ctx_buffer_output(static_cast<nft_ctx*>(ctx_));
    nft_ctx_buffer_error(static_cast<nft_ctx*>(ctx_));
  }
}

Nft::~Nft() {
  if (ctx_) nft_ctx_free(static_cast<nft_ctx*>(ctx_));
}

bool Nft::Run(const std::string& commands, std::string* error) {
  if (!ctx_) {
    *error = "libnftables: cannot create a context";
    return false;
  }
  auto* ctx = static_cast<nft_ctx*>(ctx_);
  if (nft_run_cmd_from_buffer(ctx, commands.c_str()) == 0) return true;
  const char* e = nft_ctx_get_error_buffer(ctx);
  *error = e && *e ? e : "nftables refused the batch";
  while (!error->empty() && error->back() == '\n') error->pop_back();
  return false;
}

}  // namespace vigil::os
