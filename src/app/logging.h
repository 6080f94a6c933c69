#pragma once
// Operational log set-up: spdlog to stderr, UTC timestamps, one named logger per component.

#include "config/config.h"

namespace gw::app {

void setup_logging(const config::LogConfig& log);
// Changes the level of every logger (reload).
void set_log_level(config::LogLevel level);

}  // namespace gw::app
