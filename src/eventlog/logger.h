#pragma once
// The "eventlog" logger of the operational log (stderr), where the event log reports its own
// trouble: a file it cannot write, records it had to drop.

#include <spdlog/logger.h>

#include <memory>

namespace gw::eventlog {

std::shared_ptr<spdlog::logger> diagnostics();

}  // namespace gw::eventlog
