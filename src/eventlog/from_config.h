#pragma once
// The [event_log] table of the configuration as the EventLog's settings. The only place where
// gw_eventlog knows about gw_config.

#include "config/config.h"
#include "eventlog/settings.h"

namespace gw::eventlog {

EventLogSettings settings_from(const config::EventLogConfig& config);

}  // namespace gw::eventlog
