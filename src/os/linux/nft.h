// A libnftables session: runs one batch of nft commands as one transaction (all of it is
// applied or none), with nftables' own error text on failure.
#pragma once

#include <string>

namespace vigil::os {

class Nft {
 public:
  Nft();
  ~Nft();
  Nft(const Nft&) = delete;
  Nft& operator=(const Nft&) = delete;
  // False, with nftables' message in *error, if the batch was refused.
  bool Run(const std::string& commands, std::string* error);

 private:
  void* ctx_;  // struct nft_ctx*
};

}  // namespace vigil::os
