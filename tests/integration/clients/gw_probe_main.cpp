// gw_probe --host H --port P --user U --password PW --database DB SCENARIO
//
// Runs one scenario (or `all`) and prints its transcript to stdout. Exit status: 0 when the
// scenario ran to the end (expected server errors are part of the transcript), 1 on an
// unexpected failure (message on stderr), 2 on a usage error.
#include <array>
#include <charconv>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "scenarios.h"

namespace gw::probe {
namespace {

using ScenarioFn = void (*)(Transcript&, const ConnectParams&);

struct Scenario {
  std::string_view name;
  ScenarioFn run;
};

constexpr std::array<Scenario, 9> kScenarios{{
    {"prepared_types", scenario_prepared_types},
    {"cursor_fetch", scenario_cursor_fetch},
    {"long_data", scenario_long_data},
    {"stmt_reset_close", scenario_stmt_reset_close},
    {"multi_result_proc", scenario_multi_result_proc},
    {"multi_statements", scenario_multi_statements},
    {"change_user", scenario_change_user},
    {"misc_commands", scenario_misc_commands},
    {"mariadb_ps_extensions", scenario_mariadb_ps_extensions},
}};

struct Options {
  ConnectParams connect;
  std::string scenario;
};

void usage() {
  std::string names;
  for (const Scenario& s : kScenarios) names += fmt::format(" {}", s.name);
  fmt::print(stderr,
             "usage: gw_probe --host H --port P --user U --password PW --database DB SCENARIO\n"
             "scenarios:{} all\n",
             names);
}

std::optional<unsigned int> parse_port(std::string_view text) {
  unsigned int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// Fills `opt` from one "--name value" pair; false when the name is unknown or the value bad.
bool apply_option(Options& opt, std::string_view name, std::string_view value) {
  if (name == "--host")
    opt.connect.host = value;
  else if (name == "--user")
    opt.connect.user = value;
  else if (name == "--password")
    opt.connect.password = value;
  else if (name == "--database")
    opt.connect.database = value;
  else if (name == "--port") {
    std::optional<unsigned int> port = parse_port(value);
    if (!port) return false;
    opt.connect.port = *port;
  } else {
    return false;
  }
  return true;
}

std::optional<Options> parse_args(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) {
      if (!opt.scenario.empty()) return std::nullopt;
      opt.scenario = arg;
      continue;
    }
    if (i + 1 >= argc || !apply_option(opt, arg, argv[i + 1])) {
      fmt::print(stderr, "gw_probe: bad option {}\n", arg);
      return std::nullopt;
    }
    ++i;
  }
  if (opt.scenario.empty() || opt.connect.host.empty() || opt.connect.port == 0 ||
      opt.connect.user.empty()) {
    return std::nullopt;
  }
  return opt;
}

// Runs one scenario; false (after a message on stderr) when it failed unexpectedly.
bool run(const Scenario& scenario, Transcript& t, const ConnectParams& params) {
  t.line("== {}", scenario.name);
  try {
    scenario.run(t, params);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "gw_probe: {}: {}\n", scenario.name, e.what());
    return false;
  }
  return true;
}

int main_impl(int argc, char** argv) {
  std::optional<Options> opt = parse_args(argc, argv);
  if (!opt) {
    usage();
    return 2;
  }
  if (mysql_library_init(0, nullptr, nullptr) != 0) {
    fmt::print(stderr, "gw_probe: mysql_library_init failed\n");
    return 1;
  }
  Transcript t;
  bool ok = true;
  bool found = false;
  for (const Scenario& s : kScenarios) {
    if (opt->scenario != "all" && opt->scenario != s.name) continue;
    found = true;
    ok = run(s, t, opt->connect);
    if (!ok) break;
  }
  std::fflush(stdout);
  mysql_library_end();
  if (!found) {
    fmt::print(stderr, "gw_probe: unknown scenario {}\n", opt->scenario);
    usage();
    return 2;
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace gw::probe

int main(int argc, char** argv) { return gw::probe::main_impl(argc, argv); }
