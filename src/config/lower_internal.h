// Internal interface between the lowering/dump translation units of config/. Not installed.
#pragma once

#include "config/schema.h"
#include "model/config.h"

namespace vigil::config {

// global_defs and the simple top-level keywords.
void LowerGlobalDefs(const Node& n, model::GlobalDefs& g, Ctx& ctx);
void DumpGlobalDefs(const model::GlobalDefs& g, Printer& p);
// True when `kw` is one of keepalived's simple top-level keywords (net_namespace, instance, ...);
// the node is then stored in `top`.
bool LowerTopLevelSimple(const Node& n, model::ExtraOptions& top, Ctx& ctx);

// VRRP side.
model::VrrpInstanceConf LowerVrrpInstance(const Node& n, Ctx& ctx);
// Applies global_defs (vrrp_version, default_interface) once the whole file is read.
void FinishVrrpInstance(model::VrrpInstanceConf& c, const model::GlobalDefs& g, Ctx& ctx);
void DumpVrrpInstance(const model::VrrpInstanceConf& c, Printer& p, bool mask);
model::SyncGroupConf LowerSyncGroup(const Node& n, Ctx& ctx);
void DumpSyncGroup(const model::SyncGroupConf& c, Printer& p);
model::VrrpScriptConf LowerVrrpScript(const Node& n, Ctx& ctx);
void DumpVrrpScript(const model::VrrpScriptConf& c, Printer& p);
model::TrackProcessConf LowerTrackProcess(const Node& n, Ctx& ctx);
void DumpTrackProcess(const model::TrackProcessConf& c, Printer& p);
model::TrackFileConf LowerTrackFile(const Node& n, Ctx& ctx);
void DumpTrackFile(const model::TrackFileConf& c, Printer& p);
model::TrackGroupConf LowerTrackGroup(const Node& n, Ctx& ctx);
void DumpTrackGroup(const model::TrackGroupConf& c, Printer& p);
model::GarpGroupConf LowerGarpGroup(const Node& n, Ctx& ctx);
void DumpGarpGroup(const model::GarpGroupConf& c, Printer& p);
model::BfdInstanceConf LowerBfdInstance(const Node& n, Ctx& ctx);
void DumpBfdInstance(const model::BfdInstanceConf& c, Printer& p);
void LowerAddressBlock(const Node& n, std::vector<model::IpAddressConf>& out, bool is_static,
                       Ctx& ctx);
void DumpAddressBlock(const char* kw, const std::vector<model::IpAddressConf>& v, Printer& p);
// `track_needs_dev`: virtual routes are tracked, so a route without a device is reported.
void LowerRouteBlock(const Node& n, std::vector<model::RouteConf>& out, bool rules, Ctx& ctx,
                     bool track_needs_dev = false);
void DumpRouteBlock(const char* kw, const std::vector<model::RouteConf>& v, Printer& p);

// LVS side.
model::VirtualServerConf LowerVirtualServer(const Node& n, Ctx& ctx);
void DumpVirtualServer(const model::VirtualServerConf& c, Printer& p);
model::VirtualServerGroupConf LowerVsGroup(const Node& n, Ctx& ctx);
void DumpVsGroup(const model::VirtualServerGroupConf& c, Printer& p);
model::SslConf LowerSsl(const Node& n, Ctx& ctx);
void DumpSsl(const model::SslConf& c, Printer& p, bool mask);

// Shared value-block helpers.
std::vector<std::string> BlockWords(const Node& n);  // every word of every child line
inline constexpr const char* kMasked = "********";

}  // namespace vigil::config
