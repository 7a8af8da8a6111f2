#include "daemon/script_runas.h"

#include <sstream>

namespace vigil::daemon {

RunAs ResolveRunAs(const std::string& prog, const std::string& user_group,
                   const model::GlobalDefs& global) {
  RunAs r;
  std::string who = !user_group.empty() ? user_group : global.script_user;
  std::string err;
  if (who.empty()) {
    if (auto c = os::LookupCredentials("keepalived_script", "", &err)) r.credentials = c;
  } else {
    std::istringstream in(who);
    std::string user, group;
    in >> user >> group;
    r.credentials = os::LookupCredentials(user, group, &err);
    if (!r.credentials) {
      r.refused = true;
      r.why = err;
      return r;
    }
  }
  bool as_root = !r.credentials || r.credentials->uid == 0;
  if (as_root && global.enable_script_security && !os::SafeToRunAsRoot(prog, &r.why)) {
    r.refused = true;
    r.why = "refused by enable_script_security: " + r.why;
  }
  return r;
}

}  // namespace vigil::daemon
