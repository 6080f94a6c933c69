#include "app/cli.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "config/address.h"
#include "config/enum_names.h"
#include "config/load.h"
#include "config/password.h"
#include "config/validate.h"
#include "gracewire/version.h"
#include "proxy/tls_setup.h"

namespace gw::app {
namespace {

// The conventional exit code for a command-line or configuration mistake.
constexpr int kUsageError = 2;

std::string joined_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

// Applies one flag's value through the same parser the config file uses for that key.
template <typename T, typename Parse>
void apply_flag(const std::optional<std::string>& flag, std::string_view flag_name, Parse parse,
                T& field, std::vector<std::string>& errors) {
  if (!flag) return;
  auto value = parse(*flag);
  if (!value) {
    errors.push_back(std::string(flag_name) + ": " + value.error());
    return;
  }
  field = std::move(*value);
}

// A missing directory is the usual reason an output file cannot be opened; catch it here so
// --check-config does. Permissions are left to the open at start-up, which names the error.
void check_directory(std::string_view key, const std::string& path,
                     std::vector<std::string>& errors) {
  if (path.empty() || path == "-") return;
  const auto directory = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!directory.empty() && !std::filesystem::is_directory(directory, ec)) {
    errors.push_back(std::string(key) + ": " + path + ": directory " + directory.string() +
                     " does not exist");
  }
}

config::Explained<std::string> any_text(std::string_view text) { return std::string(text); }

config::Explained<std::uint32_t> loop_count(std::string_view text) {
  std::uint32_t count = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (error != std::errc{} || end != text.data() + text.size() ||
      count > config::defaults::kMaxLoops) {
    return config::problem(config::in_quotes(text) + " is not a number of event loops (0.." +
                           std::to_string(config::defaults::kMaxLoops) + "; 0: one per CPU)");
  }
  return count;
}

}  // namespace

void check_runnable(const config::Config& config, std::vector<std::string>& errors) {
  if (!config.upstream.address) {
    errors.emplace_back(
        "upstream.address: not set; gracewire needs a server to proxy to (set it in the config "
        "file or pass --upstream HOST:PORT|/socket)");
  }
  if (auto password = config::read_password(config.control); !password) {
    errors.push_back(password.error());
  }
  check_directory("event_log.path", config.event_log.path, errors);
  // Certificates, keys and CAs are read now, so that a bad file stops the start, not a client.
  if (auto tls = proxy::tls_setup(config); !tls) errors.push_back(tls.error());
  if (config.binlog.enabled) {
    if (auto password = config::read_password(config.binlog); !password) {
      errors.push_back(password.error());
    }
    if (auto problem = config::binlog_destination_problem(config)) errors.push_back(*problem);
    check_directory("binlog.path", config.binlog.path, errors);
    check_directory("binlog.checkpoint", config.binlog.checkpoint, errors);
  }
}

void enable_binlog(config::Config& config, std::string_view enabled_by,
                   std::vector<std::string>& errors) {
  if (config.binlog.enabled) return;  // the loader has checked the file's own enabled = true
  config.binlog.enabled = true;
  for (const auto& error : config::check_binlog_enabled(config.binlog, {}, enabled_by)) {
    errors.push_back(error.to_string());
  }
}

std::expected<CliOptions, EarlyExit> parse_cli(int argc, const char* const* argv, std::ostream& out,
                                               std::ostream& err) {
  CliOptions options;
  std::string listen;
  std::string upstream;
  std::string log_level;
  std::string event_log;
  std::string admin;
  std::string loops;

  CLI::App app{"gracewire: a MySQL-protocol proxy that closes connections gracefully", "gracewire"};
  app.set_version_flag("--version", std::string("gracewire ") + gw::kVersion);
  app.add_option("--config", options.config_path, "TOML config file (see conf/gracewire.toml)")
      ->type_name("FILE");
  auto* listen_opt =
      app.add_option("--listen", listen, "Address to accept clients on")->type_name("HOST:PORT");
  auto* upstream_opt =
      app.add_option("--upstream", upstream, "MySQL/MariaDB server: HOST:PORT or a Unix socket")
          ->type_name("HOST:PORT|/socket");
  auto* level_opt =
      app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
          ->type_name("LEVEL");
  auto* event_log_opt =
      app.add_option("--event-log", event_log,
                     "Write the event log (JSON lines) to PATH; \"-\" is standard output")
          ->type_name("PATH");
  auto* admin_opt = app.add_option("--admin", admin,
                                   "Admin endpoint (metrics, health, readiness, drain); \"\" "
                                   "turns it off")
                        ->type_name("HOST:PORT");
  auto* loops_opt =
      app.add_option("--loops", loops, "Event loops (threads) serving clients; 0: one per CPU")
          ->type_name("N");
  app.add_flag("--binlog", options.binlog,
               "Also follow the upstream's binary log and write change records ([binlog] of the "
               "config file; needs binlog.server_id and binlog.user)");
  app.add_flag("--check-config", options.check_config,
               "Validate the config file and flags, print the result and exit (0 valid, 2 not)");
  app.footer(
      "Flags override the config file; the file overrides the built-in defaults.\n"
      "Event log tools: gracewire report [--by program|library|user|address] [--json] FILE...\n"
      "                 gracewire verify FILE...   (each with --help)\n"
      "The binlog follower alone: gracewire binlog --config FILE [--from POS] [--to POS]");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return std::unexpected(EarlyExit{code == 0 ? 0 : kUsageError});
  }
  if (listen_opt->count() > 0) options.listen = listen;
  if (upstream_opt->count() > 0) options.upstream = upstream;
  if (level_opt->count() > 0) options.log_level = log_level;
  if (event_log_opt->count() > 0) options.event_log = event_log;
  if (admin_opt->count() > 0) options.admin = admin;
  if (loops_opt->count() > 0) options.loops = loops;
  return options;
}

std::expected<config::Config, std::string> resolve_config(const CliOptions& options) {
  std::vector<std::string> errors;
  config::Config config;
  if (!options.config_path.empty()) {
    auto loaded = config::load_config_file_all(options.config_path);
    if (loaded) {
      config = std::move(*loaded);
    } else {
      for (const auto& error : loaded.error()) errors.push_back(error.to_string());
    }
  }
  // Flags are checked even when the file is broken, so one run reports every mistake.
  apply_flag(options.listen, "--listen", config::parse_listen_address, config.listener.address,
             errors);
  apply_flag(options.upstream, "--upstream", config::parse_upstream_address,
             config.upstream.address, errors);
  apply_flag(options.log_level, "--log-level", config::parse_log_level, config.log.level, errors);
  apply_flag(options.event_log, "--event-log", any_text, config.event_log.path, errors);
  apply_flag(options.admin, "--admin", config::parse_admin_address, config.admin.address, errors);
  apply_flag(options.loops, "--loops", loop_count, config.listener.loops, errors);
  if (!errors.empty()) return std::unexpected(joined_lines(errors));

  if (options.binlog) enable_binlog(config, "--binlog", errors);
  check_runnable(config, errors);
  if (!errors.empty()) return std::unexpected(joined_lines(errors));
  return config;
}

}  // namespace gw::app
