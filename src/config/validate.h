#pragma once
// Rules that involve more than one key, checked once every key has been read on its own.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/config_error.h"

namespace gw::config {

// Where each key was set: "buffers.low_water" -> line. Keys left at their default are absent.
using KeyLines = std::map<std::string, std::size_t>;

// Errors name the key the file set, so the message points at a line the user wrote.
std::vector<ConfigError> validate(const Config& config, const KeyLines& lines);

// What an enabled follower needs: binlog.server_id and binlog.user. Part of validate(); the
// command line calls it again when --binlog enabled the follower (`enabled_by` names which,
// for the message). Errors point at binlog.enabled's line when the file set it.
std::vector<ConfigError> check_binlog_enabled(const BinlogConfig& binlog, const KeyLines& lines,
                                              std::string_view enabled_by);

// An enabled follower with neither binlog.path nor event_log.path has nowhere to write. Not part
// of validate(): --event-log may supply the path, so the command line checks it after flags.
std::optional<std::string> binlog_destination_problem(const Config& config);

}  // namespace gw::config
