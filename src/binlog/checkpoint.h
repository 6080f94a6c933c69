#pragma once
// The follower's checkpoint: where the stream stood after the last committed transaction, kept
// in a file so that a restart resumes there (by GTID; file:pos for the record and for servers
// without GTIDs) and loses nothing.
//
// The file is one JSON object on one line:
//
//   {"gtid":"0-1-42,1-1-7","binlog_file":"binlog.000003","binlog_pos":1234,"server_id":1,
//    "written_at":"2026-12-01T10:00:00.000000Z"}
//
//   gtid         MariaDB GTID list (gtid.h), sorted by domain; "" when the server gave none
//   binlog_file  a binlog file name (no '/', at most 255 bytes); "" with binlog_pos 0 when
//                not known
//   binlog_pos   the offset after the transaction's last event; 4 or more when binlog_file is set
//   server_id    the upstream's @@server_id, so that a checkpoint of another server is noticed
//   written_at   RFC 3339 UTC with microseconds, as the event log writes its timestamps
//   open_gtid, open_event_index, open_row_index
//                only when gracewire stopped in the middle of a transaction (the one after
//                `gtid`): the key of the last record of it already written, so that a resume
//                skips the records up to it instead of emitting them twice. All three or none.
//
// Every member is required, once, and no other is allowed; a file with neither a GTID nor a
// file position is refused. The file is hostile input: it is refused unread above 64KiB and
// unless it is a regular file.
//
// Writes are atomic: PATH.tmp is written and fsynced, renamed over PATH, and the directory is
// fsynced. A crash leaves either the old file or the new one, never a mix; a PATH.tmp left by a
// crash is ignored by read_checkpoint() and replaced by the next write.

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "protocol/binlog/gtid.h"

namespace gw::binlog {

struct Checkpoint {
  protocol::binlog::GtidList gtid;
  std::string binlog_file;
  std::uint64_t binlog_pos = 0;
  std::uint32_t server_id = 0;  // the upstream's, to notice a different server
  std::chrono::system_clock::time_point written_at;
  // Stopped inside a transaction: the last record of it already written.
  struct Open {
    protocol::binlog::Gtid gtid;
    std::uint64_t event_index = 0;
    std::uint64_t row_index = 0;
    friend bool operator==(const Open&, const Open&) = default;
  };
  std::optional<Open> open;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// The largest checkpoint file read_checkpoint() accepts.
inline constexpr std::uint64_t kMaxCheckpointFile = 64ULL << 10;

// The one line written to the file (without its newline), and its reader. parse_checkpoint's
// errors describe the content; read_checkpoint() puts the file name in front.
std::string format_checkpoint(const Checkpoint& checkpoint);
[[nodiscard]] std::expected<Checkpoint, std::string> parse_checkpoint(std::string_view text);

// nullopt when `path` does not exist; a sentence naming the file for anything else wrong.
[[nodiscard]] std::expected<std::optional<Checkpoint>, std::string> read_checkpoint(
    const std::string& path);

// Atomic replacement of `path` (see above). Blocks on the disk: call it from a thread that may
// wait (CheckpointWriter), never from the event loop.
[[nodiscard]] std::expected<void, std::string> write_checkpoint(const std::string& path,
                                                                const Checkpoint& checkpoint);

}  // namespace gw::binlog
