#include "publish/backlog.h"

#include <optional>
#include <vector>

#include "eventlog/json_scan.h"
#include "eventlog/line_reader.h"
#include "eventlog/rotated_files.h"
#include "eventlog/sequence.h"

namespace gw::publish {
namespace {

// The sequence of a file's first complete line; nullopt when it has none.
std::optional<std::uint64_t> first_sequence(const std::string& file) {
  auto reader = eventlog::LineReader::open(file);
  if (!reader) return std::nullopt;
  while (const auto line = reader->next()) {
    if (reader->too_long()) continue;
    if (!reader->complete()) return std::nullopt;
    return eventlog::sequence_of(*line);
  }
  return std::nullopt;
}

std::optional<std::string_view> type_of(std::string_view line) {
  std::optional<std::string_view> type;
  eventlog::scan_object(line, [&](std::string_view key, const eventlog::JsonValue& value) {
    if (key != "type") return true;
    if (value.kind == eventlog::JsonValue::Kind::String) type = value.raw;
    return false;
  });
  return type;
}

}  // namespace

std::expected<BacklogScan, std::string> read_backlog(
    const std::string& path, std::uint64_t after,
    const std::function<void(const BacklogLine&)>& visit) {
  // Oldest first; start at the newest file whose first line is at or before the next one due.
  const std::vector<std::string> files = eventlog::with_rotated({path});
  std::size_t start = 0;
  for (std::size_t i = files.size(); i-- > 0;) {
    const auto first = first_sequence(files[i]);
    if (first && *first <= after + 1) {
      start = i;
      break;
    }
  }
  BacklogScan scan;
  bool gap_checked = false;
  for (std::size_t i = start; i < files.size(); ++i) {
    auto reader = eventlog::LineReader::open(files[i]);
    if (!reader) {
      if (i + 1 == files.size()) return std::unexpected(reader.error());
      continue;  // a rotated file removed meanwhile: the gap check below names what is missing
    }
    while (const auto line = reader->next()) {
      if (reader->too_long() || !reader->complete()) {
        if (gap_checked) ++scan.skipped;
        continue;
      }
      const auto sequence = eventlog::sequence_of(*line);
      if (!sequence) {
        if (gap_checked) ++scan.skipped;
        continue;
      }
      if (*sequence <= after) continue;
      if (!gap_checked) {
        gap_checked = true;
        if (*sequence > after + 1) scan.first_found_after_gap = *sequence;
      }
      const auto type = type_of(*line);
      if (!type) {
        ++scan.skipped;
        continue;
      }
      visit({.sequence = *sequence, .type = *type, .line = *line});
      ++scan.lines;
    }
    if (!reader->error().empty()) return std::unexpected(reader->error());
  }
  return scan;
}

}  // namespace gw::publish
