#pragma once
// What SIGHUP may change in a running gracewire: the operational log's level, the event log's
// filters (event_log.audit, lifecycle, users, schemas, commands) and the TLS keys of [listener]
// and [upstream] (for new connections; certificates are read again on every reload, changed
// keys or not). Everything else is
// fixed at start-up (sockets, threads, files, the session policies in every live session);
// a change there is reported as needing a restart and not applied.

#include <string>
#include <vector>

#include "config/config.h"

namespace gw::app {

struct ReloadPlan {
  std::vector<std::string> applied;       // "log.level", "event_log.users", ...
  std::vector<std::string> need_restart;  // "listener", "event_log.path", ...
  config::Config next;                    // `running` with the applied keys taken from the new file
};

// Compares the running configuration with a newly loaded one.
ReloadPlan plan_reload(const config::Config& running, const config::Config& loaded);

}  // namespace gw::app
