#include "app/subcommands.h"

#include <CLI/CLI.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "app/binlog_command.h"
#include "eventlog/report.h"
#include "eventlog/verify.h"

namespace gw::app {
namespace {

constexpr int kUsageError = 2;

// Parses argv[1..] (the subcommand name becomes the program name in usage text).
std::optional<int> parse(CLI::App& app, int argc, const char* const* argv, std::ostream& out,
                         std::ostream& err) {
  try {
    app.parse(argc - 1, argv + 1);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? 0 : kUsageError;
  }
  return std::nullopt;
}

int verify(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  CLI::App app{
      "Check the hash chain of event log files (event_log.hash_chain = true) and name the first "
      "line that breaks it. Rotated files next to FILE (FILE.1, FILE.2, ...) are checked too, "
      "oldest first. Exit 0: intact; 1: broken or unreadable.",
      "gracewire verify"};
  app.add_option("FILE", files, "Event log file")->required()->type_name("FILE");
  if (auto exit = parse(app, argc, argv, out, err)) return *exit;
  return eventlog::run_verify(files, out, err);
}

int report(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> files;
  std::string by = "program";
  bool json = false;
  CLI::App app{
      "How clients end their sessions, from the close records of event log files: per group, "
      "sessions, the share of each close kind, how many left without COM_QUIT, median and p99 "
      "session length. Rotated files next to FILE (FILE.1, FILE.2, ...) are read too.",
      "gracewire report"};
  app.add_option("--by", by,
                 "Group by program (program_name attribute), library "
                 "(_client_name and _client_version), user or address")
      ->check(CLI::IsMember({"program", "library", "user", "address"}))
      ->type_name("BY");
  app.add_flag("--json", json, "One JSON object instead of a table");
  app.add_option("FILE", files, "Event log file")->required()->type_name("FILE");
  if (auto exit = parse(app, argc, argv, out, err)) return *exit;
  return eventlog::run_report(files, *eventlog::parse_report_by(by), json, out, err);
}

}  // namespace

std::optional<int> run_subcommand(int argc, const char* const* argv, std::ostream& out,
                                  std::ostream& err) {
  if (argc < 2) return std::nullopt;
  const std::string_view name = argv[1];
  if (name == "verify") return verify(argc, argv, out, err);
  if (name == "report") return report(argc, argv, out, err);
  if (name == "binlog") return binlog_command(argc, argv, out, err);
  return std::nullopt;
}

}  // namespace gw::app
