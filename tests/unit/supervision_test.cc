// The supervisor's pure parts: when a dead child is started again, and the configuration
// snapshot a child parses instead of the files on disk.
#include <gtest/gtest.h>

#include "config/config.h"
#include "config/snapshot.h"
#include "daemon/respawn.h"
#include "fakes/memory_file_source.h"

namespace vigil {
namespace {

using daemon::RespawnPolicy;
using std::chrono::seconds;

TEST(RespawnPolicy, QuickDeathsDoubleTheDelayUpToAMinute) {
  RespawnPolicy::Duration d{0};
  std::vector<long> delays;
  for (int i = 0; i < 9; ++i) {
    d = RespawnPolicy::Next(seconds(5), d);
    delays.push_back(std::chrono::duration_cast<seconds>(d).count());
  }
  EXPECT_EQ(delays, (std::vector<long>{1, 2, 4, 8, 16, 32, 60, 60, 60}));
}

TEST(RespawnPolicy, AChildThatRanOverAMinuteStartsAgainAtOnce) {
  EXPECT_EQ(RespawnPolicy::Next(seconds(61), seconds(32)).count(), 0);
  // ... and its next quick death starts the back-off from 1 s again.
  EXPECT_EQ(RespawnPolicy::Next(seconds(2), RespawnPolicy::Duration{0}), seconds(1));
}

TEST(RespawnPolicy, KeepalivedsPermanentExitCodesStopTheDaemon) {
  for (int code : {1, 2, 4}) EXPECT_TRUE(RespawnPolicy::Permanent(code)) << code;
  for (int code : {0, 3, 5, 70, 134, 137}) EXPECT_FALSE(RespawnPolicy::Permanent(code)) << code;
}

TEST(FileSnapshot, SerializeParsesBackWithBinaryContentAndErrors) {
  config::FileSnapshot s;
  s.reads["/etc/keepalived/keepalived.conf"] = {std::string("include /x/*.conf\n"), ""};
  s.reads["/x/a.conf"] = {std::string("a\0b:12:c", 8), ""};
  s.reads["/missing"] = {std::nullopt, "No such file or directory"};
  s.globs["/x/*.conf"] = {"/x/a.conf", "/x/b.conf"};
  s.globs["/none/*"] = {};
  s.canonical["/x/../x/a.conf"] = "/x/a.conf";
  auto back = config::FileSnapshot::Parse(s.Serialize());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, s);
}

TEST(FileSnapshot, TruncatedOrForeignBytesAreRefused) {
  config::FileSnapshot s;
  s.reads["/a"] = {std::string("vrrp_instance VI_1 {\n}\n"), ""};
  std::string bytes = s.Serialize();
  EXPECT_FALSE(config::FileSnapshot::Parse(bytes.substr(0, bytes.size() - 3)).has_value());
  EXPECT_FALSE(config::FileSnapshot::Parse("global_defs {\n}\n").has_value());
  EXPECT_FALSE(config::FileSnapshot::Parse(bytes + "R99999999:x").has_value());
}

// A child loads the snapshot and gets the configuration the supervisor checked, even after
// the files on disk changed.
TEST(FileSnapshot, ReplayGivesTheRecordedConfigurationAfterTheFilesChange) {
  testing::MemoryFileSource disk;
  disk.Add("/etc/k.conf", "include /etc/k.d/*.conf\n");
  disk.Add("/etc/k.d/vi.conf",
           "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n"
           "    priority 150\n    virtual_ipaddress {\n        192.0.2.100/24\n    }\n}\n");
  config::FileSnapshot snap;
  config::RecordingFileSource recording(disk, snap);
  config::LoadOptions opts;
  auto first = config::Load("/etc/k.conf", recording, opts);
  ASSERT_EQ(first.config.vrrp_instances.size(), 1u);

  disk.Add("/etc/k.d/vi.conf", "garbage {\n");  // an editor half-way through a save
  auto parsed = config::FileSnapshot::Parse(snap.Serialize());
  ASSERT_TRUE(parsed.has_value());
  config::SnapshotFileSource replay(std::move(*parsed));
  auto second = config::Load("/etc/k.conf", replay, opts);
  EXPECT_EQ(config::Dump(second.config), config::Dump(first.config));
  EXPECT_EQ(second.diags.all().size(), first.diags.all().size());
  EXPECT_EQ(second.config.vrrp_instances[0].priority, 150);
}

}  // namespace
}  // namespace vigil
