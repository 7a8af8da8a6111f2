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
    case K::kDns:
    case K::kUdp:
    case K::kPing:
      // Their factories (declared in probe.h) are the next step of issue 5.
      *error = std::string(model::CheckerKeyword(spec.checker->kind)) +
               " is not run by Vigil yet (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK and "
               "FILE_CHECK are)";
      return nullptr;
    case K::kBfd:
      break;
  }
  *error = "BFD_CHECK needs a bfd_instance, which Vigil does not run yet";
  return nullptr;
}

}  // namespace vigil::daemon
