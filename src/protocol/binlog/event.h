#pragma once
// Binlog events: the common header, the event types gracewire knows, and the checksum.
// Sans-IO: an event is bytes in (from a binlog file, or a dump packet without its 0x00 byte),
// values out. References: MariaDB KB "Binlog Event Header", "Format Description Event";
// MySQL "Binary Log Overview / Binlog Event Header"; server sql/log_event.h.
//
// Common header (binlog version 4), 19 bytes, little-endian:
//   int<4>  timestamp    seconds since the epoch when the statement began (0 on artificial events)
//   int<1>  type         EventType
//   int<4>  server_id    the server that wrote it first
//   int<4>  event_size   header + body + checksum
//   int<4>  log_pos      position of the *next* event in the file (0 on artificial events)
//   int<2>  flags        kFlag*
// Then the body, then, when the stream's checksum is CRC32, int<4> CRC32 (ISO-HDLC, zlib's
// crc32) of header and body. FORMAT_DESCRIPTION carries its own checksum algorithm byte just
// before that checksum, and always has one when the algorithm byte says CRC32.

#include <cstdint>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol::binlog {

// Every type a MariaDB 10.11 or MySQL 8 server writes or sends; names after log_event.h.
enum class EventType : std::uint8_t {
  Unknown = 0,
  Query = 2,
  Stop = 3,
  Rotate = 4,
  Intvar = 5,
  Rand = 13,
  UserVar = 14,
  FormatDescription = 15,
  Xid = 16,
  TableMap = 19,
  WriteRowsV1 = 23,  // MariaDB's row events (and MySQL 5.1-5.5)
  UpdateRowsV1 = 24,
  DeleteRowsV1 = 25,
  Incident = 26,
  Heartbeat = 27,
  RowsQuery = 29,  // MySQL: the statement behind the rows (MariaDB: AnnotateRows)
  WriteRows = 30,  // MySQL 5.6+ v2 row events, with an extra-data block
  UpdateRows = 31,
  DeleteRows = 32,
  MysqlGtid = 33,
  AnonymousGtid = 34,
  PreviousGtids = 35,
  PartialUpdateRows = 39,
  TransactionPayload = 40,
  HeartbeatV2 = 41,
  AnnotateRows = 160,
  BinlogCheckpoint = 161,
  Gtid = 162,
  GtidList = 163,
  StartEncryption = 164,
  QueryCompressed = 165,        // log_bin_compress: the statement is compressed
  WriteRowsCompressedV1 = 166,  // log_bin_compress: the rows are compressed
  UpdateRowsCompressedV1 = 167,
  DeleteRowsCompressedV1 = 168,
  WriteRowsCompressed = 169,
  UpdateRowsCompressed = 170,
  DeleteRowsCompressed = 171,
};

// "QUERY_EVENT", "WRITE_ROWS_EVENT_V1", ...; "UNKNOWN_EVENT(200)" for others. For logs.
std::string event_type_name(std::uint8_t type);

inline constexpr std::size_t kHeaderSize = 19;
inline constexpr std::size_t kChecksumSize = 4;
// The largest event gracewire accepts: the server's own ceiling (max_allowed_packet and
// slave_max_allowed_packet cannot exceed 1 GiB). Checked before anything is allocated.
inline constexpr std::size_t kMaxEventSize = std::size_t{1} << 30;

// LOG_EVENT_BINLOG_IN_USE_F: on the FORMAT_DESCRIPTION of a file the server has not closed yet.
// The server sets it after computing the event's CRC32 and clears it at close, so the CRC of
// that event is over its bytes with this bit clear (verified on MariaDB 10.11's active file).
inline constexpr std::uint16_t kFlagBinlogInUse = 0x01;
// LOG_EVENT_ARTIFICIAL_F: not in a file (the dump's first ROTATE; 10.11's heartbeats have
// flags 0).
inline constexpr std::uint16_t kFlagArtificial = 0x20;
// LOG_EVENT_IGNORABLE_F: safe to skip if unknown.
inline constexpr std::uint16_t kFlagIgnorable = 0x80;

enum class Checksum : std::uint8_t {
  Off = 0,    // BINLOG_CHECKSUM_ALG_OFF
  Crc32 = 1,  // BINLOG_CHECKSUM_ALG_CRC32
};

struct EventHeader {
  std::uint32_t timestamp = 0;
  std::uint8_t type = 0;  // EventType, or a value gracewire does not know
  std::uint32_t server_id = 0;
  std::uint32_t event_size = 0;
  std::uint32_t log_pos = 0;
  std::uint16_t flags = 0;
  friend bool operator==(const EventHeader&, const EventHeader&) = default;
};

// One event split into its header and body (checksum removed, verified).
struct RawEvent {
  EventHeader header;
  ByteView body;
};

// Decodes the header alone; need_more below 19 bytes.
[[nodiscard]] Result<EventHeader> decode_header(ByteView bytes);

// Splits one whole event. `bytes` must be exactly event_size long (invalid_length otherwise:
// the dump stream and the file reader both know where an event ends). With Checksum::Crc32
// the last 4 bytes are checked (checksum_mismatch) and removed. A FORMAT_DESCRIPTION event is
// checked by the algorithm byte it carries, whatever `checksum` says, since it is the event
// that announces the algorithm: that byte sits 5 bytes before the end and the last 4 bytes are
// always a checksum field, even when the byte says OFF (MariaDB 10.11 with binlog_checksum=NONE
// still writes 4 bytes there; they are not checked then). An algorithm other than OFF and
// CRC32 is unsupported. The CRC of a FORMAT_DESCRIPTION is computed with kFlagBinlogInUse
// clear. Errors: need_more below 19 bytes; invalid_length when the sizes disagree or the event
// is too short for its checksum; checksum_mismatch.
[[nodiscard]] Result<RawEvent> split_event(ByteView bytes, Checksum checksum);

// The checksum algorithm a FORMAT_DESCRIPTION event announces for the events after it.
[[nodiscard]] Result<Checksum> announced_checksum(const RawEvent& format_description);

}  // namespace gw::protocol::binlog
