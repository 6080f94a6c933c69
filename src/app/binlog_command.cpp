#include "app/binlog_command.h"

#include <CLI/CLI.hpp>
#include <ostream>
#include <vector>

#include "app/binlog_run.h"
#include "config/address.h"
#include "config/binlog_start.h"
#include "config/enum_names.h"
#include "config/load.h"

namespace gw::app {
namespace {

constexpr int kUsageError = 2;

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// --from/--to: a fixed position; errors say which flag.
bool parse_position(const CLI::Option* option, const std::string& text, std::string_view flag,
                    std::optional<config::BinlogStart>& field, std::ostream& err) {
  if (option->count() == 0) return true;
  auto parsed = config::parse_binlog_position(text);
  if (!parsed) {
    err << "gracewire binlog: " << flag << ": " << parsed.error() << "\n";
    return false;
  }
  field = std::move(*parsed);
  return true;
}

}  // namespace

std::expected<BinlogCommandOptions, EarlyExit> parse_binlog_command(int argc,
                                                                    const char* const* argv,
                                                                    std::ostream& out,
                                                                    std::ostream& err) {
  BinlogCommandOptions options;
  std::string upstream;
  std::string from;
  std::string to;
  std::string log_level;
  CLI::App app{
      "Run the binlog follower alone (no listener): follow the upstream server's binary log as "
      "a replica does and write change records as [binlog] of the config file says. It is "
      "enabled whatever binlog.enabled says; binlog.server_id and binlog.user are required. "
      "With neither binlog.path nor event_log.path set, records go to standard output. "
      "POSITION is FILE:POS (\"binlog.000003:4\") or a GTID list (\"0-1-42,1-1-7\").",
      "gracewire binlog"};
  app.add_option("--config", options.config_path, "TOML config file (see conf/gracewire.toml)")
      ->required()
      ->type_name("FILE");
  auto* upstream_opt =
      app.add_option("--upstream", upstream, "MySQL/MariaDB server: HOST:PORT or a Unix socket")
          ->type_name("HOST:PORT|/socket");
  auto* from_opt =
      app.add_option("--from", from, "Start here, instead of the checkpoint or binlog.start")
          ->type_name("POSITION");
  auto* to_opt =
      app.add_option("--to", to, "Stop after the event at this position (a range, for debugging)")
          ->type_name("POSITION");
  auto* level_opt =
      app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
          ->type_name("LEVEL");
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return std::unexpected(EarlyExit{code == 0 ? 0 : kUsageError});
  }
  if (!parse_position(from_opt, from, "--from", options.from, err) ||
      !parse_position(to_opt, to, "--to", options.to, err)) {
    return std::unexpected(EarlyExit{kUsageError});
  }
  if (upstream_opt->count() > 0) options.upstream = upstream;
  if (level_opt->count() > 0) options.log_level = log_level;
  return options;
}

std::expected<config::Config, std::string> resolve_binlog_config(
    const BinlogCommandOptions& options) {
  std::vector<std::string> errors;
  auto loaded = config::load_config_file_all(options.config_path);
  if (!loaded) {
    for (const auto& error : loaded.error()) errors.push_back(error.to_string());
    // Flags are checked even when the file is broken, so one run reports every mistake.
    loaded = config::Config{};
  }
  config::Config config = std::move(*loaded);
  if (options.upstream) {
    if (auto address = config::parse_upstream_address(*options.upstream)) {
      config.upstream.address = *address;
    } else {
      errors.push_back("--upstream: " + address.error());
    }
  }
  if (options.log_level) {
    if (auto level = config::parse_log_level(*options.log_level)) {
      config.log.level = *level;
    } else {
      errors.push_back("--log-level: " + level.error());
    }
  }
  if (!errors.empty()) return std::unexpected(joined_lines(errors));

  enable_binlog(config, "gracewire binlog", errors);
  // A foreground command with no file configured prints, which is what a range is for.
  if (config.binlog.path.empty() && config.event_log.path.empty()) config.binlog.path = "-";
  check_runnable(config, errors);
  if (!errors.empty()) return std::unexpected(joined_lines(errors));
  return config;
}

int binlog_command(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  auto options = parse_binlog_command(argc, argv, out, err);
  if (!options) return options.error().code;
  auto config = resolve_binlog_config(*options);
  if (!config) {
    err << config.error() << '\n';
    return kUsageError;
  }
  return run_binlog_command(*options, *config);
}

}  // namespace gw::app
