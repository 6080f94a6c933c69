#pragma once
// One record as one JSON object (one line of the event log). Field order is fixed: ts, type,
// session, server_conn_id, client, user, db, program, then the type's own fields; README lists
// them. Strings take any bytes (json_string.h says how invalid UTF-8 stays lossless); the column
// values of change records follow value_json.h. Appends into the caller's buffer so the writer
// thread reuses one allocation for every record.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "eventlog/record.h"

namespace gw::eventlog {

// "connect", "auth", "change_user", "reset", "close", "command", "row", "ddl", "commit".
std::string_view type_name(const Record& record);

// Appends the object, without a newline.
void append_json(std::string& out, const Record& record);
std::string to_json(const Record& record);

// Why records were lost, in the "dropped" record's `reason`.
inline constexpr std::string_view kDroppedQueueFull = "queue_full";      // loss = "drop"
inline constexpr std::string_view kDroppedWriteFailed = "write_failed";  // disk full, I/O error

// type "dropped": `count` records were lost between `since` and `until`. Written by the writer
// itself, so that loss shows in the log it affected.
struct DroppedNotice {
  std::chrono::system_clock::time_point ts{};
  std::uint64_t count = 0;
  std::chrono::system_clock::time_point since{}, until{};
  std::string_view reason{};
  // write_failed with hash_chain on: the hash of the last line that reached the file before the
  // gap, so that verify can tell that nothing else went missing there.
  std::string_view last_written_hash{};
};

void append_json(std::string& out, const DroppedNotice& notice);

}  // namespace gw::eventlog
