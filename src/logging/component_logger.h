#pragma once
// One named spdlog logger per component ("proxy", "session", "control", "eventlog"), cloned
// from the default logger so that the level, pattern and sink set at start-up apply to all.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace gw::logging {

inline std::shared_ptr<spdlog::logger> component_logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = spdlog::default_logger()->clone(name);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace gw::logging
