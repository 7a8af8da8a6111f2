#include "os/linux/ipvs.h"

// clang-format off
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
// clang-format on
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "os/linux/ipvs_attrs.h"

namespace vigil::os {

namespace {

// Dump replies come in batches the size of the reader's buffer, up to 32 KiB; a smaller
// buffer than the kernel's batch would truncate them.
constexpr size_t kBufferSize = 32768;

std::string Failure(const std::string& what, int rc) { return what + ": " + std::strerror(-rc); }

// What ipvsadm says for the errno values whose text misleads.
std::string Hint(uint8_t cmd, int rc) {
  bool dest = cmd == IPVS_CMD_NEW_DEST || cmd == IPVS_CMD_SET_DEST || cmd == IPVS_CMD_DEL_DEST;
  if (rc == -ESRCH && cmd == IPVS_CMD_DEL_DAEMON) return " (no sync daemon in that state)";
  if (rc == -ESRCH) return " (no such service)";
  if (rc == -ENOENT && dest) return " (no such destination)";
  if (rc == -ENOENT) return " (no such scheduler or persistence engine)";
  if (rc == -EEXIST && cmd == IPVS_CMD_NEW_DAEMON) return " (a sync daemon in that state runs)";
  if (rc == -EPERM) return " (needs CAP_NET_ADMIN)";
  return "";
}

}  // namespace

Ipvs::Ipvs(void* nl, unsigned portid, uint16_t family)
    : nl_(nl), portid_(portid), family_(family), buf_(kBufferSize) {}

Ipvs::Ipvs(Ipvs&& o) noexcept
    : nl_(o.nl_), portid_(o.portid_), family_(o.family_), seq_(o.seq_), buf_(std::move(o.buf_)) {
  o.nl_ = nullptr;
}

Ipvs& Ipvs::operator=(Ipvs&& o) noexcept {
  if (this != &o) {
    if (nl_) mnl_socket_close(static_cast<mnl_socket*>(nl_));
    nl_ = o.nl_;
    portid_ = o.portid_;
    family_ = o.family_;
    seq_ = o.seq_;
    buf_ = std::move(o.buf_);
    o.nl_ = nullptr;
  }
  return *this;
}

Ipvs::~Ipvs() {
  if (nl_) mnl_socket_close(static_cast<mnl_socket*>(nl_));
}

std::optional<Ipvs> Ipvs::Open(std::string* error) {
  mnl_socket* nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
  if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    *error = std::string("generic netlink (IPVS): ") + std::strerror(errno);
    if (nl) mnl_socket_close(nl);
    return std::nullopt;
  }
  // Resolve the family id with the controller; the id is then the message type.
  Ipvs ipvs(nl, mnl_socket_get_portid(nl), GENL_ID_CTRL);
  auto* nlh = static_cast<nlmsghdr*>(ipvs.Request(CTRL_CMD_GETFAMILY, NLM_F_ACK));
  mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
  uint16_t id = 0;
  auto on_family = [](const void* m, void* data) {
    ipvs_attrs::Attrs a = ipvs_attrs::Parse(static_cast<const nlmsghdr*>(m));
    *static_cast<uint16_t*>(data) = ipvs_attrs::U16(a[CTRL_ATTR_FAMILY_ID]);
  };
  int rc = ipvs.Transact(nlh, on_family, &id);
  if (rc == -ENOENT || (rc == 0 && id == 0)) {
    *error = "the kernel has no IPVS (modprobe ip_vs)";
    return std::nullopt;
  }
  if (rc < 0) {
    *error = Failure("resolving the IPVS generic netlink family", rc);
    return std::nullopt;
  }
  ipvs.family_ = id;
  return ipvs;
}

void* Ipvs::Request(uint8_t cmd, uint16_t flags) {
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf_.data());
  nlh->nlmsg_type = family_;
  nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  auto* g = static_cast<genlmsghdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(genlmsghdr)));
  g->cmd = cmd;
  g->version = IPVS_GENL_VERSION;  // 1, which the controller takes too
  return nlh;
}

int Ipvs::Transact(void* msg, void (*fn)(const void*, void*), void* data) {
  auto* nl = static_cast<mnl_socket*>(nl_);
  auto* nlh = static_cast<nlmsghdr*>(msg);
  uint32_t seq = nlh->nlmsg_seq = ++seq_;
  if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) return -errno;
  // The request has gone: the buffer now takes the answers. A message with another sequence
  // number answers a request given up on earlier (a failed read) and is skipped.
  while (true) {
    ssize_t n = mnl_socket_recvfrom(nl, buf_.data(), buf_.size());
    if (n < 0) return -errno;
    int len = static_cast<int>(n);
    for (auto* m = reinterpret_cast<const nlmsghdr*>(buf_.data()); mnl_nlmsg_ok(m, len);
         m = mnl_nlmsg_next(m, &len)) {
      if (m->nlmsg_seq != seq || m->nlmsg_pid != portid_) continue;
      if (m->nlmsg_type == NLMSG_ERROR) {  // the ack (error 0) or the failure
        if (m->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr))) return -EBADMSG;
        return static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(m))->error;
      }
      if (m->nlmsg_type == NLMSG_DONE) {  // the end of a dump; it may carry the dump's error
        int err = 0;
        if (m->nlmsg_len >= mnl_nlmsg_size(sizeof err)) {
          std::memcpy(&err, mnl_nlmsg_get_payload(m), sizeof err);
        }
        return err < 0 ? err : 0;
      }
      if (m->nlmsg_type < NLMSG_MIN_TYPE) continue;  // NOOP, OVERRUN
      if (fn && m->nlmsg_len >= mnl_nlmsg_size(GENL_HDRLEN)) fn(m, data);
    }
  }
}

bool Ipvs::Change(uint8_t cmd, const IpvsService* s, const IpvsDest* d, const std::string& what,
                  std::string* error) {
  auto* nlh = static_cast<nlmsghdr*>(Request(cmd, NLM_F_ACK));
  if (s) {
    std::string bad =
        ipvs_attrs::PutService(nlh, *s, cmd == IPVS_CMD_NEW_SERVICE || cmd == IPVS_CMD_SET_SERVICE);
    if (d && bad.empty()) bad = ipvs_attrs::PutDest(nlh, *d, cmd != IPVS_CMD_DEL_DEST);
    if (!bad.empty()) {
      *error = what + ": " + bad;
      return false;
    }
  }
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure(what, rc) + Hint(cmd, rc);
  return false;
}

bool Ipvs::AddService(const IpvsService& s, std::string* error) {
  return Change(IPVS_CMD_NEW_SERVICE, &s, nullptr, "adding " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::EditService(const IpvsService& s, std::string* error) {
  return Change(IPVS_CMD_SET_SERVICE, &s, nullptr, "changing " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::DelService(const IpvsService& s, std::string* error) {
  return Change(IPVS_CMD_DEL_SERVICE, &s, nullptr, "removing " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::AddDest(const IpvsService& s, const IpvsDest& d, std::string* error) {
  return Change(IPVS_CMD_NEW_DEST, &s, &d,
                "adding " + ipvs_attrs::Describe(d) + " to " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::EditDest(const IpvsService& s, const IpvsDest& d, std::string* error) {
  return Change(IPVS_CMD_SET_DEST, &s, &d,
                "changing " + ipvs_attrs::Describe(d) + " of " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::DelDest(const IpvsService& s, const IpvsDest& d, std::string* error) {
  return Change(IPVS_CMD_DEL_DEST, &s, &d,
                "removing " + ipvs_attrs::Describe(d) + " from " + ipvs_attrs::Describe(s), error);
}

bool Ipvs::Flush(std::string* error) {
  return Change(IPVS_CMD_FLUSH, nullptr, nullptr, "flushing the IPVS table", error);
}

bool Ipvs::SetTimeouts(const IpvsTimeouts& t, std::string* error) {
  auto* nlh = static_cast<nlmsghdr*>(Request(IPVS_CMD_SET_CONFIG, NLM_F_ACK));
  if (t.tcp) mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP, t.tcp);
  if (t.tcp_fin) mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, t.tcp_fin);
  if (t.udp) mnl_attr_put_u32(nlh, IPVS_CMD_ATTR_TIMEOUT_UDP, t.udp);
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure("setting the IPVS timeouts", rc);
  return false;
}

namespace {

void ReadTimeouts(const void* m, void* data) {
  auto* t = static_cast<IpvsTimeouts*>(data);
  const auto* nlh = static_cast<const nlmsghdr*>(m);
  mnl_attr_parse(
      nlh, GENL_HDRLEN,
      [](const nlattr* a, void* d) {
        auto* out = static_cast<IpvsTimeouts*>(d);
        if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) return MNL_CB_OK;
        switch (mnl_attr_get_type(a)) {
          case IPVS_CMD_ATTR_TIMEOUT_TCP:
            out->tcp = mnl_attr_get_u32(a);
            break;
          case IPVS_CMD_ATTR_TIMEOUT_TCP_FIN:
            out->tcp_fin = mnl_attr_get_u32(a);
            break;
          case IPVS_CMD_ATTR_TIMEOUT_UDP:
            out->udp = mnl_attr_get_u32(a);
            break;
        }
        return MNL_CB_OK;
      },
      t);
}

}  // namespace

bool Ipvs::GetTimeouts(IpvsTimeouts* out, std::string* error) {
  *out = IpvsTimeouts{};
  int rc = Transact(Request(IPVS_CMD_GET_CONFIG, NLM_F_ACK), ReadTimeouts, out);
  if (rc == 0) return true;
  *error = Failure("reading the IPVS timeouts", rc);
  return false;
}

namespace {

// What a dump's callback fills: the entries, or the first one that did not decode.
template <typename T>
struct Collected {
  std::vector<T>* out;
  std::string bad;
};

template <typename T, bool (*Decode)(const void*, T*)>
void Append(const void* m, void* data) {
  auto* c = static_cast<Collected<T>*>(data);
  T v;
  if (Decode(m, &v)) {
    c->out->push_back(std::move(v));
  } else if (c->bad.empty()) {
    c->bad = "an entry the kernel sent did not decode";
  }
}

}  // namespace

bool Ipvs::ListServices(std::vector<IpvsService>* out, std::string* error) {
  out->clear();
  Collected<IpvsService> c{out, {}};
  int rc = Transact(Request(IPVS_CMD_GET_SERVICE, NLM_F_DUMP),
                    Append<IpvsService, ipvs_attrs::DecodeService>, &c);
  if (rc < 0) *error = Failure("listing IPVS services", rc);
  if (rc == 0 && !c.bad.empty()) *error = "listing IPVS services: " + c.bad;
  return rc == 0 && c.bad.empty();
}

bool Ipvs::GetService(const IpvsService& key, IpvsService* out, std::string* error) {
  std::string what = "reading " + ipvs_attrs::Describe(key);
  auto* nlh = static_cast<nlmsghdr*>(Request(IPVS_CMD_GET_SERVICE, NLM_F_ACK));
  std::string bad = ipvs_attrs::PutService(nlh, key, false);
  if (!bad.empty()) {
    *error = what + ": " + bad;
    return false;
  }
  std::vector<IpvsService> found;
  Collected<IpvsService> c{&found, {}};
  int rc = Transact(nlh, Append<IpvsService, ipvs_attrs::DecodeService>, &c);
  if (rc < 0) {
    *error = Failure(what, rc) + Hint(IPVS_CMD_GET_SERVICE, rc);
    return false;
  }
  if (found.size() != 1) {
    *error = what + ": " + (c.bad.empty() ? "no answer" : c.bad);
    return false;
  }
  *out = std::move(found[0]);
  return true;
}

bool Ipvs::ListDests(const IpvsService& s, std::vector<IpvsDest>* out, std::string* error) {
  out->clear();
  std::string what = "listing the destinations of " + ipvs_attrs::Describe(s);
  auto* nlh = static_cast<nlmsghdr*>(Request(IPVS_CMD_GET_DEST, NLM_F_DUMP));
  std::string bad = ipvs_attrs::PutService(nlh, s, false);
  if (!bad.empty()) {
    *error = what + ": " + bad;
    return false;
  }
  Collected<IpvsDest> c{out, {}};
  int rc = Transact(nlh, Append<IpvsDest, ipvs_attrs::DecodeDest>, &c);
  if (rc < 0) {
    *error = Failure(what, rc);
    return false;
  }
  if (!c.bad.empty()) {
    *error = what + ": " + c.bad;
    return false;
  }
  // The kernel dumps nothing, without an error, for a service it does not have.
  IpvsService exists;
  if (out->empty() && !GetService(s, &exists, error)) return false;
  return true;
}

bool Ipvs::StartSyncDaemon(const IpvsSyncDaemon& d, std::string* error) {
  std::string what = std::string("starting the IPVS sync daemon (") +
                     (d.state == IP_VS_STATE_BACKUP ? "backup" : "master") + " on " + d.mcast_ifn +
                     ")";
  auto* nlh = static_cast<nlmsghdr*>(Request(IPVS_CMD_NEW_DAEMON, NLM_F_ACK));
  std::string bad = ipvs_attrs::PutDaemon(nlh, d);
  if (!bad.empty()) {
    *error = what + ": " + bad;
    return false;
  }
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure(what, rc) + Hint(IPVS_CMD_NEW_DAEMON, rc);
  return false;
}

bool Ipvs::StopSyncDaemon(int state, std::string* error) {
  auto* nlh = static_cast<nlmsghdr*>(Request(IPVS_CMD_DEL_DAEMON, NLM_F_ACK));
  nlattr* nest = mnl_attr_nest_start(nlh, IPVS_CMD_ATTR_DAEMON);
  mnl_attr_put_u32(nlh, IPVS_DAEMON_ATTR_STATE, static_cast<uint32_t>(state));
  mnl_attr_nest_end(nlh, nest);
  int rc = Transact(nlh);
  if (rc == 0) return true;
  *error = Failure(std::string("stopping the IPVS sync daemon (") +
                       (state == IP_VS_STATE_BACKUP ? "backup" : "master") + ")",
                   rc) +
           Hint(IPVS_CMD_DEL_DAEMON, rc);
  return false;
}

bool Ipvs::ListSyncDaemons(std::vector<IpvsSyncDaemon>* out, std::string* error) {
  out->clear();
  Collected<IpvsSyncDaemon> c{out, {}};
  int rc = Transact(Request(IPVS_CMD_GET_DAEMON, NLM_F_DUMP),
                    Append<IpvsSyncDaemon, ipvs_attrs::DecodeDaemon>, &c);
  if (rc < 0) *error = Failure("listing the IPVS sync daemons", rc);
  if (rc == 0 && !c.bad.empty()) *error = "listing the IPVS sync daemons: " + c.bad;
  return rc == 0 && c.bad.empty();
}

}  // namespace vigil::os
