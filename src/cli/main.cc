// vigilctl: a thin client of vigild's control socket. It sends one request and prints the
// reply, as a table for people or as JSON (--json) for scripts and tests.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace {

bool Request(const std::string& path, const std::string& line, std::string* reply,
             std::string* error) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    *error = "socket path too long";
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size());
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    *error = "cannot connect to " + path + ": " + std::strerror(errno) + " (is vigild running?)";
    if (fd >= 0) ::close(fd);
    return false;
  }
  std::string msg = line + "\n";
  if (::write(fd, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) {
    *error = std::string("write: ") + std::strerror(errno);
    ::close(fd);
    return false;
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) reply->append(buf, static_cast<size_t>(n));
  ::close(fd);
  return true;
}

std::string Str(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

void PrintInstance(const nlohmann::json& i) {
  std::printf("Instance %s\n", Str(i, "name").c_str());
  for (const char* k :
       {"state", "interface", "vmac_interface", "vrid", "version", "base_priority",
        "effective_priority", "advert_int", "master_adver_int", "maintenance", "fault_reason"}) {
    std::string v = Str(i, k);
    if (!v.empty() && v != "\"\"") std::printf("  %-20s %s\n", k, v.c_str());
  }
  std::printf("  %-20s", "vips");
  for (const auto& v : i.value("vips", nlohmann::json::array())) {
    std::printf(" %s", v.get<std::string>().c_str());
  }
  std::printf("\n");
  for (const auto& t : i.value("tracking", nlohmann::json::array())) {
    std::printf("  track %-14s %s %s (weight %s)\n", Str(t, "type").c_str(), Str(t, "name").c_str(),
                t.value("up", true) ? "up" : "DOWN", Str(t, "weight").c_str());
  }
  std::printf("  counters:");
  const auto stats = i.value("stats", nlohmann::json::object());  // items() needs it alive
  for (const auto& [k, v] : stats.items()) {
    std::printf(" %s=%s", k.c_str(), v.dump().c_str());
  }
  std::printf("\n");
}

void PrintVirtualServers(const nlohmann::json& vss) {
  std::printf("%-28s %-7s %11s %5s %4s\n", "VIRTUAL SERVER", "QUORUM", "LIVE_WEIGHT", "REAL", "UP");
  for (const auto& v : vss) {
    int up = 0, n = 0;
    for (const auto& r : v.value("real_servers", nlohmann::json::array())) {
      ++n;
      up += r.value("alive", false) && !r.value("disabled", false);
    }
    std::printf("%-28s %-7s %11d %5d %4d\n", Str(v, "name").c_str(),
                v.value("quorum", false) ? "yes" : "LOST", v.value("live_weight", 0), n, up);
  }
}

void PrintRealServers(const nlohmann::json& vss) {
  std::printf("%-28s %-22s %-9s %6s  %s\n", "VIRTUAL SERVER", "REAL SERVER", "STATE", "WEIGHT",
              "CHECKERS");
  for (const auto& v : vss) {
    for (const auto& r : v.value("real_servers", nlohmann::json::array())) {
      std::string state = r.value("disabled", false) ? "disabled"
                          : r.value("alive", false)  ? "up"
                                                     : "DOWN";
      std::string checks;
      for (const auto& c : r.value("checkers", nlohmann::json::array())) {
        checks += (checks.empty() ? "" : " ") + Str(c, "type") + ":" +
                  (c.value("up", false) ? "up" : "down(" + Str(c, "last_failure") + ")");
      }
      std::string rs = Str(r, "address") + ":" + Str(r, "port");
      std::printf("%-28s %-22s %-9s %6d  %s\n", Str(v, "name").c_str(), rs.c_str(), state.c_str(),
                  r.value("weight", 0), checks.c_str());
    }
  }
}

// One request; the reply parsed as a JSON object, or nullopt (the reason printed).
std::optional<nlohmann::json> Ask(const std::string& socket, const std::string& line) {
  std::string reply, error;
  if (!Request(socket, line, &reply, &error)) {
    std::fprintf(stderr, "vigilctl: %s\n", error.c_str());
    return std::nullopt;
  }
  auto doc = nlohmann::json::parse(reply, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    std::fprintf(stderr, "vigilctl: bad reply: %s\n", reply.c_str());
    return std::nullopt;
  }
  return doc;
}

void PrintStatusTable(const nlohmann::json& doc) {
  std::printf("%-16s %-8s %-10s %5s %4s %9s  %s\n", "INSTANCE", "STATE", "INTERFACE", "VRID", "VER",
              "PRIORITY", "VIRTUAL ADDRESSES");
  for (const auto& i : doc["instances"]) {
    std::string vips;
    for (const auto& v : i["vips"]) vips += (vips.empty() ? "" : " ") + v.get<std::string>();
    std::string prio = std::to_string(i["effective_priority"].get<int>());
    if (i["effective_priority"] != i["base_priority"]) {
      prio += "/" + std::to_string(i["base_priority"].get<int>());
    }
    std::printf("%-16s %-8s %-10s %5d %4d %9s  %s\n", i["name"].get<std::string>().c_str(),
                i["state"].get<std::string>().c_str(), i["interface"].get<std::string>().c_str(),
                i["vrid"].get<int>(), i["version"].get<int>(), prio.c_str(), vips.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vigilctl: query and steer a running vigild", "vigilctl"};
  std::string socket = "/run/vigil/vigil.sock";
  bool json = false;
  app.add_option("-s,--socket", socket, "vigild's control socket");
  app.add_flag("--json", json, "print the reply as JSON");
  auto json_flag = [&json](CLI::App* c) { c->add_flag("--json", json, "print the reply as JSON"); };
  auto* status = app.add_subcommand("status", "every VRRP instance (and the whole document)");
  json_flag(status);
  auto* show = app.add_subcommand("show", "one part of the status");
  show->require_subcommand(1);
  std::string name;
  auto* show_instance = show->add_subcommand("instance", "one vrrp_instance in full");
  show_instance->add_option("NAME", name, "the instance")->required();
  json_flag(show_instance);
  auto* show_vs = show->add_subcommand("virtual-server", "the virtual servers");
  show_vs->add_option("NAME", name, "only this one (keepalived's name, e.g. [192.0.2.10]:tcp:80)");
  json_flag(show_vs);
  auto* show_rs = show->add_subcommand("real-server", "the real servers and their checkers");
  show_rs->add_option("VS", name, "only those of this virtual server");
  json_flag(show_rs);
  auto* reload = app.add_subcommand(
      "reload", "check the configuration file again and move the daemon to it (as SIGHUP)");
  json_flag(reload);
  std::string onoff;
  auto* maint = app.add_subcommand(
      "maintenance", "take a vrrp_instance out of service (a Master hands over) or put it back");
  maint->add_option("ACTION", onoff, "on | off")->required()->check(CLI::IsMember({"on", "off"}));
  maint->add_option("INSTANCE", name, "the instance")->required();
  json_flag(maint);
  std::string rs_action, rs_vs, rs_addr;
  int rs_port = 0;
  auto* rs = app.add_subcommand("real-server", "disable or enable a real server by hand");
  rs->add_option("ACTION", rs_action, "disable | enable")
      ->required()
      ->check(CLI::IsMember({"disable", "enable"}));
  rs->add_option("VS", rs_vs, "the virtual server (keepalived's name)")->required();
  rs->add_option("ADDRESS", rs_addr, "the real server's address")->required();
  rs->add_option("PORT", rs_port, "the real server's port")->required();
  json_flag(rs);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  if (reload->parsed()) {
    auto doc = Ask(socket, "reload");
    if (!doc) return 1;
    bool ok = doc->value("reloaded", false);
    if (json) {
      std::printf("%s\n", doc->dump(2).c_str());
    } else if (ok) {
      std::printf("reloaded\n");
    } else {
      std::fprintf(stderr, "vigilctl: reload failed; the running configuration is kept\n");
      for (const auto& e : doc->value("errors", nlohmann::json::array())) {
        std::fprintf(stderr, "  %s\n", e.get<std::string>().c_str());
      }
      const auto children = doc->value("children", nlohmann::json::object());
      for (const auto& [role, r] : children.items()) {
        if (!r.value("reloaded", false)) {
          std::fprintf(stderr, "  %s: %s\n", role.c_str(), r.value("error", "").c_str());
        }
      }
    }
    return ok ? 0 : 1;
  }
  if (maint->parsed() || rs->parsed()) {
    std::string line = maint->parsed() ? "maintenance " + name + " " + onoff
                                       : "real-server " + rs_vs + " " + rs_addr + " " +
                                             std::to_string(rs_port) + " " + rs_action;
    auto doc = Ask(socket, line);
    if (!doc) return 1;
    bool ok = doc->value("ok", false);
    if (json) {
      std::printf("%s\n", doc->dump(2).c_str());
    } else if (ok) {
      std::printf("%s\n",
                  maint->parsed()
                      ? (name + (onoff == "on" ? " out of service" : " back in service")).c_str()
                      : (rs_addr + ":" + std::to_string(rs_port) + " " + rs_action + "d").c_str());
    } else {
      std::fprintf(stderr, "vigilctl: %s\n", doc->value("error", doc->dump()).c_str());
    }
    return ok ? 0 : 1;
  }

  auto doc = Ask(socket, "status");
  if (!doc) return 1;
  if (doc->contains("error")) {
    std::fprintf(stderr, "vigilctl: %s\n", Str(*doc, "error").c_str());
    return 1;
  }
  if (status->parsed()) {
    if (json) {
      std::printf("%s\n", doc->dump(2).c_str());
    } else {
      PrintStatusTable(*doc);
    }
    return 0;
  }
  if (show_instance->parsed()) {
    for (const auto& i : doc->value("instances", nlohmann::json::array())) {
      if (Str(i, "name") != name) continue;
      if (json) {
        std::printf("%s\n", i.dump(2).c_str());
      } else {
        PrintInstance(i);
      }
      return 0;
    }
    std::fprintf(stderr, "vigilctl: no vrrp_instance %s\n", name.c_str());
    return 1;
  }
  // show virtual-server / real-server
  nlohmann::json vss = nlohmann::json::array();
  for (const auto& v : doc->value("virtual_servers", nlohmann::json::array())) {
    if (name.empty() || Str(v, "name") == name) vss.push_back(v);
  }
  if (!name.empty() && vss.empty()) {
    std::fprintf(stderr, "vigilctl: no virtual server %s\n", name.c_str());
    return 1;
  }
  if (json) {
    nlohmann::json out = vss;
    if (show_rs->parsed()) {
      out = nlohmann::json::array();
      for (const auto& v : vss) {
        for (auto r : v.value("real_servers", nlohmann::json::array())) {
          r["virtual_server"] = v["name"];
          out.push_back(r);
        }
      }
    }
    std::printf("%s\n", out.dump(2).c_str());
  } else if (show_vs->parsed()) {
    PrintVirtualServers(vss);
  } else {
    PrintRealServers(vss);
  }
  return 0;
}
