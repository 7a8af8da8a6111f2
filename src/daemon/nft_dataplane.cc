// The nftables dataplane: every Apply() renders the whole table (lb::RenderNft) and runs it as
// one libnftables transaction, so a connection sees the old map or the new one, never a
// half-updated one. Clear() deletes the table.
#include <spdlog/spdlog.h>

#include "daemon/dataplane.h"
#include "lb/nft_render.h"
#include "os/linux/nft.h"

namespace vigil::daemon {
namespace {

class NftDataplane : public Dataplane {
 public:
  explicit NftDataplane(std::string table) : table_(std::move(table)) {}
  const char* name() const override { return "nftables"; }
  std::string Unsupported(const lb::Service& s) const override { return lb::NftUnsupported(s); }
  bool Apply(const std::vector<lb::Service>& desired, std::string* error) override {
    std::string batch = lb::RenderNft(desired, table_);
    if (batch == last_) return true;
    if (!nft_.Run(batch, error)) return false;
    last_ = std::move(batch);
    created_ = true;
    return true;
  }
  void Clear() override {
    if (!created_) return;
    std::string err;
    if (!nft_.Run("delete table inet " + table_ + "\n", &err)) {
      spdlog::warn("nftables: cannot delete table inet {}: {}", table_, err);
    }
    created_ = false;
    last_.clear();
  }

 private:
  std::string table_;
  os::Nft nft_;
  std::string last_;
  bool created_ = false;
};

}  // namespace

std::unique_ptr<Dataplane> MakeNftDataplane(const std::string& table) {
  return std::make_unique<NftDataplane>(table.empty() ? "vigil_lb" : table);
}

}  // namespace vigil::daemon
