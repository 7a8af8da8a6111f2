// vigilctl: a thin client of vigild's control socket. It sends one request and prints the
// reply, as a table for people or as JSON (--json) for scripts and tests.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
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
  auto* status = app.add_subcommand("status", "show every VRRP instance");
  status->add_flag("--json", json, "print the reply as JSON");
  auto* reload = app.add_subcommand(
      "reload", "check the configuration file again and move the daemon to it (as SIGHUP)");
  reload->add_flag("--json", json, "print the reply as JSON");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  std::string reply, error;
  if (reload->parsed()) {
    if (!Request(socket, "reload", &reply, &error)) {
      std::fprintf(stderr, "vigilctl: %s\n", error.c_str());
      return 1;
    }
    auto doc = nlohmann::json::parse(reply, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      std::fprintf(stderr, "vigilctl: bad reply: %s\n", reply.c_str());
      return 1;
    }
    bool ok = doc.value("reloaded", false);
    if (json) {
      std::printf("%s\n", doc.dump(2).c_str());
    } else if (ok) {
      std::printf("reloaded\n");
    } else {
      std::fprintf(stderr, "vigilctl: reload failed; the running configuration is kept\n");
      for (const auto& e : doc.value("errors", nlohmann::json::array())) {
        std::fprintf(stderr, "  %s\n", e.get<std::string>().c_str());
      }
      for (const auto& [role, r] : doc.value("children", nlohmann::json::object()).items()) {
        if (!r.value("reloaded", false)) {
          std::fprintf(stderr, "  %s: %s\n", role.c_str(), r.value("error", "").c_str());
        }
      }
    }
    return ok ? 0 : 1;
  }
  if (status->parsed()) {
    if (!Request(socket, "status", &reply, &error)) {
      std::fprintf(stderr, "vigilctl: %s\n", error.c_str());
      return 1;
    }
    auto doc = nlohmann::json::parse(reply, nullptr, false);
    if (doc.is_discarded() || doc.contains("error")) {
      std::fprintf(stderr, "vigilctl: bad reply: %s\n", reply.c_str());
      return 1;
    }
    if (json) {
      std::printf("%s\n", doc.dump(2).c_str());
    } else {
      PrintStatusTable(doc);
    }
  }
  return 0;
}
