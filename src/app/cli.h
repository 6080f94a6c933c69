#pragma once
// The command line: what each flag means, and how flags and the config file combine into the
// one Config the proxy runs with. Flags override the file; the file overrides the defaults.

#include <expected>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace gw::app {

struct CliOptions {
  std::string config_path;               // --config FILE; empty runs on the built-in defaults
  std::optional<std::string> listen;     // --listen HOST:PORT, overrides listener.address
  std::optional<std::string> upstream;   // --upstream HOST:PORT|/socket, overrides upstream.address
  std::optional<std::string> log_level;  // --log-level LEVEL, overrides log.level
  std::optional<std::string> event_log;  // --event-log PATH ("-": stdout), overrides event_log.path
  std::optional<std::string> admin;      // --admin HOST:PORT ("": off), overrides admin.address
  std::optional<std::string> loops;      // --loops N (0: one per CPU), overrides listener.loops
  bool check_config = false;             // --check-config: validate, report, exit
  bool binlog = false;  // --binlog: sets binlog.enabled; the file's other [binlog] keys apply
};

// parse_cli() stops the program early for --help, --version (code 0) and usage errors (code 2),
// having already printed what the user needs to see.
struct EarlyExit {
  int code = 0;
};

// Usage text goes to `out`, usage errors to `err`.
[[nodiscard]] std::expected<CliOptions, EarlyExit> parse_cli(int argc, const char* const* argv,
                                                             std::ostream& out, std::ostream& err);

// Loads the config file (if any), applies the flags and checks that the result can run: an
// upstream is set, the control password source is readable and the event log's directory
// exists. The error holds one line per problem, each naming the file, line and key, or the flag.
[[nodiscard]] std::expected<config::Config, std::string> resolve_config(const CliOptions& options);

// The checks of resolve_config() that need the flags applied first, one line per problem: an
// upstream is set, the password sources of [control] and (when enabled) [binlog] are readable,
// change records have a destination, and the directories of the output files exist. Shared
// with `gracewire binlog`.
void check_runnable(const config::Config& config, std::vector<std::string>& errors);

// Turns the follower on from the command line (`enabled_by`: "--binlog", "gracewire binlog").
// When the file had not enabled it, its requirements (binlog.server_id, binlog.user) are
// checked here, since the loader only checks them for a file that sets enabled = true.
void enable_binlog(config::Config& config, std::string_view enabled_by,
                   std::vector<std::string>& errors);

}  // namespace gw::app
