#pragma once
// Running `gracewire binlog` once its options and configuration are resolved
// (binlog_command.h): the follower alone, until SIGTERM/SIGINT or, with --to, the end of the
// range. Returns the process's exit code.

#include "app/binlog_command.h"
#include "config/config.h"

namespace gw::app {

[[nodiscard]] int run_binlog_command(const BinlogCommandOptions& options,
                                     const config::Config& config);

}  // namespace gw::app
