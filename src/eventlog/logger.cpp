#include "eventlog/logger.h"

#include "logging/component_logger.h"

namespace gw::eventlog {

std::shared_ptr<spdlog::logger> diagnostics() {
  try {
    return logging::component_logger("eventlog");
  } catch (const spdlog::spdlog_ex&) {
    // The writer thread and the event loop raced to register it; the winner's is there now.
    return spdlog::get("eventlog");
  }
}

}  // namespace gw::eventlog
