#pragma once
// Decoders for the events that frame a MariaDB binlog: FORMAT_DESCRIPTION, ROTATE, QUERY, XID,
// GTID, GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS, HEARTBEAT, and the decompression of
// MariaDB's compressed events (log_bin_compress). Each takes the body of a RawEvent
// (event.h): checksum already verified and removed. Views in the results point into that body.
// The body is whole, so a field that runs past its end is invalid_length, never need_more.
// Wire layouts field by field are in events.cpp next to each decoder.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/binlog/event.h"
#include "protocol/binlog/gtid.h"

namespace gw::protocol::binlog {

struct FormatDescription {
  std::uint16_t binlog_version = 0;  // 4
  std::string server_version;        // "10.11.19-MariaDB-0+deb12u1-log"
  std::uint32_t create_timestamp = 0;
  std::uint8_t header_length = 0;  // 19
  // Post-header length of each event type: index type-1.
  std::vector<std::uint8_t> post_header_lengths;
  Checksum checksum = Checksum::Off;  // for the events that follow

  // The post-header length for `type` (0 for types past the table).
  std::uint8_t post_header_length(std::uint8_t type) const;
};
[[nodiscard]] Result<FormatDescription> decode_format_description(ByteView body);

// ROTATE: the next events come from `next_file`, starting at `position`. Also sent first by a
// dump (artificial, log_pos 0) to say where the stream begins.
struct Rotate {
  std::uint64_t position = 0;
  std::string next_file;
};
[[nodiscard]] Result<Rotate> decode_rotate(ByteView body);

// QUERY (and QUERY_COMPRESSED after decompress_query()): BEGIN, COMMIT, DDL.
struct Query {
  std::uint32_t thread_id = 0;  // the server connection that ran the statement
  std::uint32_t exec_time = 0;
  std::uint16_t error_code = 0;
  std::string_view db;
  std::string_view statement;
};
[[nodiscard]] Result<Query> decode_query(ByteView body, std::uint8_t post_header_length);

// XID: the commit of a transactional (InnoDB) transaction.
struct Xid {
  std::uint64_t xid = 0;
};
[[nodiscard]] Result<Xid> decode_xid(ByteView body);

// MariaDB GTID: the start of an event group (a transaction, or one DDL statement).
struct GtidEvent {
  Gtid gtid;  // domain and sequence from the body, server_id from the event header
  std::uint8_t flags = 0;
  std::optional<std::uint64_t> commit_id;  // FL_GROUP_COMMIT_ID

  static constexpr std::uint8_t kStandalone = 0x01;  // FL_STANDALONE: no BEGIN/COMMIT follows
  static constexpr std::uint8_t kGroupCommitId = 0x02;
  static constexpr std::uint8_t kTransactional = 0x04;
  static constexpr std::uint8_t kAllowParallel = 0x08;
  static constexpr std::uint8_t kWaited = 0x10;
  static constexpr std::uint8_t kDdl = 0x20;
  static constexpr std::uint8_t kPreparedXa = 0x40;   // XA PREPARE: the xid follows (skipped)
  static constexpr std::uint8_t kCompletedXa = 0x80;  // XA COMMIT/ROLLBACK: the xid follows
  bool standalone() const { return (flags & kStandalone) != 0; }
};
[[nodiscard]] Result<GtidEvent> decode_gtid(ByteView body, std::uint32_t header_server_id);

// GTID_LIST: the binlog state at the start of a file (and sent at dump start). The server
// writes one entry per (domain, server_id) that wrote in a domain, the domain's most recent
// last; the result keeps that one per domain, sorted by domain.
[[nodiscard]] Result<GtidList> decode_gtid_list(ByteView body);

// BINLOG_CHECKPOINT: the oldest binlog file still needed for crash recovery.
struct BinlogCheckpoint {
  std::string file;
};
[[nodiscard]] Result<BinlogCheckpoint> decode_binlog_checkpoint(ByteView body);

// ANNOTATE_ROWS: the statement that produced the row events that follow.
struct AnnotateRows {
  std::string_view statement;
};
[[nodiscard]] Result<AnnotateRows> decode_annotate_rows(ByteView body);

// HEARTBEAT: sent by the server when idle; log_pos in the header is the current position.
struct Heartbeat {
  std::string_view file;
};
[[nodiscard]] Result<Heartbeat> decode_heartbeat(ByteView body);

// Compressed events (MariaDB log_bin_compress, types 165-171). The compressed block is
//   int<1>  header: 0x80 | n, n = bytes of the length (1..4), low bits; bits 4-6 name the
//           algorithm (0 = zlib, the only one), bit 3 is unused and must be 0
//   int<n>  uncompressed length, big-endian
//   zlib stream (with its zlib header and adler32), to the end of the block
// The uncompressed length is checked against `limit` and against what deflate can make of the
// bytes present (at most 1032 bytes out per byte in) before anything is allocated: a lying
// length is invalid_length. A stream that ends early, runs long or is corrupt is invalid_value;
// bytes after its end are trailing_bytes. Verified on MariaDB 10.11 (--log-bin-compress=ON):
// the block always runs to the end of the event body.
[[nodiscard]] Result<Bytes> inflate_block(ByteView block, std::size_t limit);

// The uncompressed twin of a compressed type (165 -> QUERY, 166-168 -> 23-25, 169-171 ->
// 30-32); nullopt for every other type.
std::optional<EventType> uncompressed_type(std::uint8_t type);

// QUERY_COMPRESSED -> the body of the equivalent QUERY event (statement inflated), in `out`
// (cleared first, empty on failure; `limit` caps the inflated statement). Only the statement
// is compressed: post-header, status variables and db are copied.
[[nodiscard]] Result<void> decompress_query(ByteView body, std::uint8_t post_header_length,
                                            Bytes& out, std::size_t limit = kMaxEventSize);
// *_ROWS_COMPRESSED* -> the body of the equivalent uncompressed row event, in `out` (cleared
// first, empty on failure; `limit` caps the inflated rows). Only the rows are compressed: the
// post-header (and a v2 event's extra data, when the post-header is 10 bytes long), the column
// count and the column bitmaps (two for UPDATE) are copied. `type` says how many bitmaps there
// are, so it is a parameter; the post-header length, not the type, says whether extra data is
// present (as the server reads it). MariaDB 10.11 announces 8 for 166-168 and 10 for 169-171
// but writes only 166-168. A type that is not a compressed row event is unexpected_message.
[[nodiscard]] Result<void> decompress_rows(std::uint8_t type, ByteView body,
                                           std::uint8_t post_header_length, Bytes& out,
                                           std::size_t limit = kMaxEventSize);

}  // namespace gw::protocol::binlog
