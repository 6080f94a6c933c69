#pragma once
// `gracewire binlog`: the binlog follower alone, without the proxy's listener, for deployments
// that want change capture only; with --from/--to it prints a range of the log as change
// records, for debugging. Chosen by argv[1] like report and verify (subcommands.cpp).
//
//   gracewire binlog --config FILE [--upstream HOST:PORT|/socket] [--from POSITION]
//                    [--to POSITION] [--log-level LEVEL]
//
// POSITION is FILE:POS ("binlog.000003:4") or a MariaDB GTID list ("0-1-42,1-1-7"), parsed by
// config::parse_binlog_position(). The follower is enabled whatever binlog.enabled says, so
// binlog.server_id and binlog.user are required; with neither binlog.path nor event_log.path
// set, records go to standard output.

#include <expected>
#include <iosfwd>
#include <optional>
#include <string>

#include "app/cli.h"
#include "config/config.h"

namespace gw::app {

struct BinlogCommandOptions {
  std::string config_path;                  // --config FILE (required)
  std::optional<std::string> upstream;      // --upstream, overrides upstream.address
  std::optional<config::BinlogStart> from;  // --from: start here instead of the checkpoint
                                            // or binlog.start (never Kind::Current)
  std::optional<config::BinlogStart> to;    // --to: stop after this position (never Current)
  std::optional<std::string> log_level;     // --log-level, overrides log.level
};

// Usage text to `out`, usage errors (bad --from/--to included) to `err`; EarlyExit 0 for
// --help, 2 for a usage error. argv[1] is "binlog".
[[nodiscard]] std::expected<BinlogCommandOptions, EarlyExit> parse_binlog_command(
    int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// The config file with the options applied and the follower enabled, checked as
// resolve_config() checks the proxy's. The error holds one line per problem.
[[nodiscard]] std::expected<config::Config, std::string> resolve_binlog_config(
    const BinlogCommandOptions& options);

// parse, resolve, then run_binlog_command() (binlog_run.h): the process's exit code.
int binlog_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace gw::app
