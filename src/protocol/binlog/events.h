#pragma once
// Decoders for the events that frame a MariaDB binlog: FORMAT_DESCRIPTION, ROTATE, QUERY, XID,
// GTID, GTID_LIST, BINLOG_CHECKPOINT, ANNOTATE_ROWS, HEARTBEAT, and the decompression of
// MariaDB's compressed events (log_bin_compress). Each takes the body of a RawEvent
// (event.h): checksum already verified and removed. Views in the results point into that body.
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
Result<FormatDescription> decode_format_description(ByteView body);

// ROTATE: the next events come from `next_file`, starting at `position`. Also sent first by a
// dump (artificial, log_pos 0) to say where the stream begins.
struct Rotate {
  std::uint64_t position = 0;
  std::string next_file;
};
Result<Rotate> decode_rotate(ByteView body);

// QUERY (and QUERY_COMPRESSED after decompress_query()): BEGIN, COMMIT, DDL.
struct Query {
  std::uint32_t thread_id = 0;  // the server connection that ran the statement
  std::uint32_t exec_time = 0;
  std::uint16_t error_code = 0;
  std::string_view db;
  std::string_view statement;
};
Result<Query> decode_query(ByteView body, std::uint8_t post_header_length);

// XID: the commit of a transactional (InnoDB) transaction.
struct Xid {
  std::uint64_t xid = 0;
};
Result<Xid> decode_xid(ByteView body);

// MariaDB GTID: the start of an event group (a transaction, or one DDL statement).
struct GtidEvent {
  Gtid gtid;  // domain and sequence from the body, server_id from the event header
  std::uint8_t flags = 0;
  std::optional<std::uint64_t> commit_id;  // FL_GROUP_COMMIT_ID

  static constexpr std::uint8_t kStandalone = 0x01;   // FL_STANDALONE: no BEGIN/COMMIT follows
  static constexpr std::uint8_t kGroupCommitId = 0x02;
  static constexpr std::uint8_t kTransactional = 0x04;
  bool standalone() const { return (flags & kStandalone) != 0; }
};
Result<GtidEvent> decode_gtid(ByteView body, std::uint32_t header_server_id);

// GTID_LIST: the binlog state at the start of a file (and sent at dump start).
Result<GtidList> decode_gtid_list(ByteView body);

// BINLOG_CHECKPOINT: the oldest binlog file still needed for crash recovery.
struct BinlogCheckpoint {
  std::string file;
};
Result<BinlogCheckpoint> decode_binlog_checkpoint(ByteView body);

// ANNOTATE_ROWS: the statement that produced the row events that follow.
struct AnnotateRows {
  std::string_view statement;
};
Result<AnnotateRows> decode_annotate_rows(ByteView body);

// HEARTBEAT: sent by the server when idle; log_pos in the header is the current position.
struct Heartbeat {
  std::string_view file;
};
Result<Heartbeat> decode_heartbeat(ByteView body);

// Compressed events (MariaDB log_bin_compress, types 165-171). The compressed block is
//   int<1>  header: 0x80 | n, n = bytes of the length (1..4), low bits; other bits reserved
//   int<n>  uncompressed length, big-endian
//   zlib stream
// The uncompressed length is checked against `limit` before anything is allocated.
Result<Bytes> inflate_block(ByteView block, std::size_t limit);
// QUERY_COMPRESSED -> the body of the equivalent QUERY event (statement inflated), in `out`.
Result<void> decompress_query(ByteView body, std::uint8_t post_header_length, Bytes& out);
// *_ROWS_COMPRESSED* -> the body of the equivalent uncompressed row event, in `out`.
Result<void> decompress_rows(ByteView body, std::uint8_t post_header_length, Bytes& out);

}  // namespace gw::protocol::binlog
