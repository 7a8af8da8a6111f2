#include "daemon/probe.h"

namespace vigil::daemon {

std::unique_ptr<Probe> MakeProbe(boost::asio::io_context& io, const ProbeSpec& spec,
                                 std::string* error) {
  using K = model::CheckerKind;
  switch (spec.checker->kind) {
    case K::kTcp:
      return MakeTcpProbe(io, spec, error);
    case K::kHttp:
    case K::kSsl:
      return MakeHttpProbe(io, spec, error);
    case K::kMisc:
      return MakeMiscProbe(io, spec, error);
    case K::kFile:
      return MakeFileProbe(io, spec, error);
    case K::kSmtp:
      return MakeSmtpProbe(io, spec, error);
    case K::kDns:
      return MakeDnsProbe(io, spec, error);
    case K::kUdp:
      return MakeUdpProbe(io, spec, error);
    case K::kPing:
      return MakePingProbe(io, spec, error);
    case K::kBfd:
      break;
  }
  *error = "BFD_CHECK needs a bfd_instance, which Vigil does not run yet";
  return nullptr;
}

}  // namespace vigil::daemon
