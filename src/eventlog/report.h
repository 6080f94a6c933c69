#pragma once
// `gracewire report`: how clients end their sessions, per client program, client library and
// version, user or client address, from the close records of event log files.
//
// For each group: sessions (close records), the share of each close_kind, how many left
// without COM_QUIT (close_kind fin_without_quit, rst, mid_command or mid_result: an
// authenticated client that went away without saying goodbye), and the median and p99 session
// length (duration_ms; duration_histogram.h says how exact). Grouping by library joins each
// close record to its session's auth record (_client_name and _client_version attributes);
// the join holds only sessions still open at that point of the log.
//
// The files are streamed line by line: memory grows with the number of groups and of open
// sessions, not with the size of the log. Lines that are not event log records are counted and
// skipped.

#include <cstdint>
#include <expected>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw::eventlog {

enum class ReportBy { Program, Library, User, Address };

std::optional<ReportBy> parse_report_by(std::string_view word);
std::string_view to_string(ReportBy by);

struct GroupSummary {
  std::string key;  // "(none)" when the field was empty
  std::uint64_t sessions = 0;
  std::uint64_t left_without_quit = 0;
  std::int64_t median_ms = 0, p99_ms = 0;
  std::vector<std::pair<std::string, std::uint64_t>> close_kinds;  // most frequent first
};

struct ReportSummary {
  ReportBy by = ReportBy::Program;
  std::vector<std::string> files;
  std::uint64_t lines = 0;           // lines read
  std::uint64_t records = 0;         // of which event log records
  std::uint64_t sessions = 0;        // of which close records
  std::uint64_t skipped_lines = 0;   // lines that were not records
  std::uint64_t dropped = 0;         // records the writer lost, per its "dropped" records
  std::vector<GroupSummary> groups;  // most sessions first, then by key
  // Lines skipped for being far too long to be records, as "x.log:12" (the first few).
  std::vector<std::string> too_long;
  std::uint64_t too_long_lines = 0;
};

// Accumulates lines; the streaming core of the report, usable on any source of lines.
class ReportBuilder {
 public:
  explicit ReportBuilder(ReportBy by);
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  void add_line(std::string_view line);
  // A line the reader skipped as too long; `where` is "file:line".
  void add_too_long(std::string where);
  ReportSummary finish(std::vector<std::string> files);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads `files` in the order given.
std::expected<ReportSummary, std::string> build_report(const std::vector<std::string>& files,
                                                       ReportBy by);

// The whole command: expands rotated files, prints the table (or JSON) to `out`, problems to
// `err`; returns the exit code (0, or 1 when a file cannot be read).
int run_report(const std::vector<std::string>& paths, ReportBy by, bool json, std::ostream& out,
               std::ostream& err);

}  // namespace gw::eventlog
