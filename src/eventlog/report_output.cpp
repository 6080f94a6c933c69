#include "eventlog/report_output.h"

#include <fmt/format.h>

#include <algorithm>
#include <ostream>

#include "eventlog/json_string.h"

namespace gw::eventlog {
namespace {

constexpr std::size_t kMaxKeyWidth = 40;

// Group keys come from clients: keep control characters off the terminal and long names from
// breaking the columns.
std::string printable(std::string_view key) {
  std::string out;
  for (const char c : key) out += static_cast<unsigned char>(c) < 0x20 ? '?' : c;
  if (out.size() > kMaxKeyWidth) out = out.substr(0, kMaxKeyWidth - 3) + "...";
  return out;
}

std::string duration(std::int64_t ms) {
  if (ms < 10'000) return fmt::format("{} ms", ms);
  if (ms < 600'000) return fmt::format("{:.1f} s", static_cast<double>(ms) / 1e3);
  return fmt::format("{:.1f} min", static_cast<double>(ms) / 60e3);
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  return fmt::format(
      "{:.1f}%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
}

}  // namespace

void print_report_table(const ReportSummary& summary, std::ostream& out) {
  out << fmt::format("{} sessions by {} from {} {} ({} lines", summary.sessions,
                     to_string(summary.by), summary.files.size(),
                     summary.files.size() == 1 ? "file" : "files", summary.lines);
  if (summary.skipped_lines > 0)
    out << fmt::format(", {} not records, skipped", summary.skipped_lines);
  out << ")\n";
  if (summary.dropped > 0) {
    out << fmt::format(
        "warning: the log says {} records were dropped; sessions may be missing from the counts\n",
        summary.dropped);
  }
  if (summary.groups.empty()) return;

  std::size_t width = to_string(summary.by).size();
  for (const auto& group : summary.groups) width = std::max(width, printable(group.key).size());
  out << '\n'
      << fmt::format("{:<{}}  {:>9}  {:>17}  {:>9}  {:>9}  {}\n", to_string(summary.by), width,
                     "sessions", "left w/o COM_QUIT", "median", "p99", "close kinds");
  for (const auto& group : summary.groups) {
    std::string kinds;
    for (const auto& [kind, count] : group.close_kinds) {
      if (!kinds.empty()) kinds += ", ";
      kinds += printable(kind) + " " + percent(count, group.sessions);
    }
    const std::string left = fmt::format("{} {:>6}", group.left_without_quit,
                                         percent(group.left_without_quit, group.sessions));
    out << fmt::format("{:<{}}  {:>9}  {:>17}  {:>9}  {:>9}  {}\n", printable(group.key), width,
                       group.sessions, left, duration(group.median_ms), duration(group.p99_ms),
                       kinds);
  }
  out << "\nleft w/o COM_QUIT: close_kind fin_without_quit, rst, mid_command or mid_result.\n";
}

void print_report_json(const ReportSummary& summary, std::ostream& out) {
  std::string json = "{\"by\":";
  append_json_string(json, to_string(summary.by));
  json += ",\"files\":[";
  for (std::size_t i = 0; i < summary.files.size(); ++i) {
    if (i > 0) json += ',';
    append_json_string(json, summary.files[i]);
  }
  json += fmt::format(
      "],\"lines\":{},\"records\":{},\"sessions\":{},\"skipped_lines\":{},\"dropped\":{},"
      "\"groups\":[",
      summary.lines, summary.records, summary.sessions, summary.skipped_lines, summary.dropped);
  for (std::size_t i = 0; i < summary.groups.size(); ++i) {
    const auto& group = summary.groups[i];
    json += i > 0 ? ",{\"key\":" : "{\"key\":";
    append_json_string(json, group.key);
    json += fmt::format(
        ",\"sessions\":{},\"left_without_quit\":{},\"median_ms\":{},\"p99_ms\":{},"
        "\"close_kinds\":{{",
        group.sessions, group.left_without_quit, group.median_ms, group.p99_ms);
    for (std::size_t k = 0; k < group.close_kinds.size(); ++k) {
      if (k > 0) json += ',';
      append_json_string(json, group.close_kinds[k].first);
      json += fmt::format(":{}", group.close_kinds[k].second);
    }
    json += "}}";
  }
  json += "]}\n";
  out << json;
}

}  // namespace gw::eventlog
