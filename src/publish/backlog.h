#pragma once
// The backlog: the lines an event log wrote after the last one the stream acknowledged
// (progress.h), read back from the log at start so that what was in flight when gracewire
// stopped, or was killed, is published before anything new.
//
// Only the log's files are read (rotated ones included, oldest first: eventlog/rotated_files.h),
// in bounded memory (eventlog/line_reader.h), starting from the newest file whose first line is
// not past the point to resume from. Lines are taken as the writer wrote them, so every input
// is checked: a line without a sequence, of an unknown type or too long is skipped and counted.

#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

namespace gw::publish {

struct BacklogLine {
  std::uint64_t sequence = 0;
  std::string_view type;  // the record's "type": close, command, row, dropped, …
  std::string_view line;  // without its '\n'
};

struct BacklogScan {
  std::uint64_t lines = 0;    // lines handed to visit()
  std::uint64_t skipped = 0;  // lines after the point that are not records we can publish
  // The first sequence found after the point, when the lines between them are gone (their file
  // was removed); 0 when the backlog starts right after the point (or is empty).
  std::uint64_t first_found_after_gap = 0;
};

// Calls visit() for every complete line of `path` (and its rotated files) whose sequence is
// greater than `after`, in order. An error only when a file that holds them cannot be read.
std::expected<BacklogScan, std::string> read_backlog(
    const std::string& path, std::uint64_t after,
    const std::function<void(const BacklogLine&)>& visit);

}  // namespace gw::publish
