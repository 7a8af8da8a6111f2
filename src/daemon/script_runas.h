// Who a script runs as, in keepalived's order: the script's own user (vrrp_script `user`,
// or the user after a notify script's path), else global `script_user`, else the user
// `keepalived_script` where it exists, else root. With `enable_script_security`, a script
// that would run as root from a path writable by others is refused.
#pragma once

#include <optional>
#include <string>

#include "model/config.h"
#include "os/linux/process.h"

namespace vigil::daemon {

struct RunAs {
  std::optional<os::Credentials> credentials;  // unset: root (our own)
  bool refused = false;
  std::string why;  // when refused
};

// `user_group`: "USER [GROUP]", or empty for the defaults.
RunAs ResolveRunAs(const std::string& prog, const std::string& user_group,
                   const model::GlobalDefs& global);

}  // namespace vigil::daemon
