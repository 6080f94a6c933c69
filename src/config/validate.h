#pragma once
// Rules that involve more than one key, checked once every key has been read on its own.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_error.h"

namespace gw::config {

// Where each key was set: "buffers.low_water" -> line. Keys left at their default are absent.
using KeyLines = std::map<std::string, std::size_t>;

// Errors name the key the file set, so the message points at a line the user wrote.
std::vector<ConfigError> validate(const Config& config, const KeyLines& lines);

}  // namespace gw::config
