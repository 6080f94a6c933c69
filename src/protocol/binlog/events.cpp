#include "protocol/binlog/events.h"

#include "core/byte_reader.h"
#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

// A body is whole (event.h split it at event_size): running out of it is a length that lied.
std::error_code body_error(const ByteReader& r) {
  return r.error() == codec_errc::need_more ? make_error_code(codec_errc::invalid_length)
                                            : r.error();
}

constexpr std::size_t kServerVersionSize = 50;  // ST_SERVER_VER_LEN
constexpr std::uint16_t kBinlogVersion = 4;
constexpr std::uint8_t kQueryPostHeaderV3 = 11;  // without status_vars_len (binlog v3)
constexpr std::uint8_t kQueryPostHeader = 13;
constexpr std::size_t kGtidListEntrySize = 16;
constexpr std::uint32_t kGtidListCountMask = 0x0FFFFFFF;  // the top 4 bits are flags
constexpr std::uint8_t kXidPartMax = 64;                  // MAXGTRIDSIZE, MAXBQUALSIZE

}  // namespace

std::uint8_t FormatDescription::post_header_length(std::uint8_t type) const {
  if (type == 0 || type > post_header_lengths.size()) return 0;
  return post_header_lengths[type - 1];
}

// FORMAT_DESCRIPTION body (MariaDB KB "Format Description Event"):
//   int<2>      binlog_version     4
//   string<50>  server_version     NUL-padded
//   int<4>      create_timestamp   0 except on the first event after a server start
//   int<1>      header_length      19
//   int<1>[n]   post-header length of each type, index type-1 (n = 171 on MariaDB 10.11)
//   int<1>      checksum algorithm for the events after this one (0 OFF, 1 CRC32)
// (The 4-byte checksum field after it is removed by split_event.)
Result<FormatDescription> decode_format_description(ByteView body) {
  ByteReader r(body);
  FormatDescription fd;
  fd.binlog_version = r.u16();
  const std::string_view version = r.string(kServerVersionSize);
  fd.create_timestamp = r.u32();
  fd.header_length = r.u8();
  if (!r.ok() || r.remaining() < 1) return fail(codec_errc::invalid_length);
  if (fd.binlog_version != kBinlogVersion) return fail(codec_errc::unsupported);
  // A longer common header would move every body; no server writes one.
  if (fd.header_length < kHeaderSize) return fail(codec_errc::invalid_value);
  if (fd.header_length > kHeaderSize) return fail(codec_errc::unsupported);
  fd.server_version = std::string(version.substr(0, version.find('\0')));
  const ByteView table = r.bytes(r.remaining() - 1);
  fd.post_header_lengths.assign(table.begin(), table.end());
  switch (r.u8()) {
    case static_cast<std::uint8_t>(Checksum::Off):
      fd.checksum = Checksum::Off;
      break;
    case static_cast<std::uint8_t>(Checksum::Crc32):
      fd.checksum = Checksum::Crc32;
      break;
    default:
      return fail(codec_errc::unsupported);
  }
  return fd;
}

// ROTATE body:
//   int<8>       position    of the first event in the next file (4)
//   string<EOF>  next_file   no NUL
Result<Rotate> decode_rotate(ByteView body) {
  ByteReader r(body);
  Rotate rotate;
  rotate.position = r.u64();
  if (!r.ok()) return fail(body_error(r));
  const std::string_view name = r.rest_string();
  if (name.empty()) return fail(codec_errc::invalid_value);
  rotate.next_file = std::string(name);
  return rotate;
}

// QUERY body (MariaDB KB "Query Event"); post-header of `post_header_length` bytes:
//   int<4>   thread_id
//   int<4>   exec_time
//   int<1>   db length
//   int<2>   error_code
//   int<2>   status_vars length     (absent when the post-header is 11 bytes: binlog v3)
//   ...      the rest of a longer post-header, skipped
// then:
//   byte<n>  status variables       skipped: nothing gracewire needs is only there
//   string<db length> db, 0x00
//   string<EOF> statement
Result<Query> decode_query(ByteView body, std::uint8_t post_header_length) {
  if (post_header_length < kQueryPostHeaderV3) return fail(codec_errc::invalid_value);
  ByteReader r(body);
  Query q;
  q.thread_id = r.u32();
  q.exec_time = r.u32();
  const std::uint8_t db_length = r.u8();
  q.error_code = r.u16();
  std::uint16_t status_length = 0;
  if (post_header_length >= kQueryPostHeader) status_length = r.u16();
  // A longer post-header than this decoder knows carries fields after the ones it reads.
  r.skip(post_header_length -
         (post_header_length >= kQueryPostHeader ? kQueryPostHeader : kQueryPostHeaderV3));
  r.skip(status_length);
  q.db = r.string(db_length);
  const std::uint8_t nul = r.u8();
  if (!r.ok()) return fail(body_error(r));
  if (nul != 0) return fail(codec_errc::invalid_value);
  q.statement = r.rest_string();
  return q;
}

// XID body: int<8> xid (the storage engine's transaction id, in host order on the server;
// little-endian on every platform gracewire meets).
Result<Xid> decode_xid(ByteView body) {
  ByteReader r(body);
  Xid xid{r.u64()};
  if (!r.ok()) return fail(body_error(r));
  return xid;
}

// MariaDB GTID body (MariaDB KB "GTID_EVENT"), post-header 19:
//   int<8>  sequence
//   int<4>  domain
//   int<1>  flags (GtidEvent::k*)
//   if flags & FL_GROUP_COMMIT_ID:            int<8> commit_id
//   if flags & (FL_PREPARED_XA|FL_COMPLETED_XA): int<4> format_id, int<1> gtrid length,
//                                             int<1> bqual length, byte<gtrid+bqual> xid
//   then zero padding up to 19 bytes, or (10.5+) int<1> flags_extra and its fields: ignored
// Seen on 10.11: 0x29 for DDL (DDL|ALLOW_PARALLEL|STANDALONE), 0x0c for InnoDB transactions,
// 0x08 for MyISAM ones; XA PREPARE 0x4c and XA COMMIT 0x8d with the xid right after the flags
// (no padding before it) and flags_extra 0x01 followed by one byte after the prepared one.
Result<GtidEvent> decode_gtid(ByteView body, std::uint32_t header_server_id) {
  ByteReader r(body);
  GtidEvent ev;
  ev.gtid.sequence = r.u64();
  ev.gtid.domain = r.u32();
  ev.gtid.server_id = header_server_id;
  ev.flags = r.u8();
  if ((ev.flags & GtidEvent::kGroupCommitId) != 0) ev.commit_id = r.u64();
  if ((ev.flags & (GtidEvent::kPreparedXa | GtidEvent::kCompletedXa)) != 0) {
    r.skip(4);  // format_id
    const std::uint8_t gtrid = r.u8();
    const std::uint8_t bqual = r.u8();
    if (r.ok() && (gtrid > kXidPartMax || bqual > kXidPartMax)) {
      return fail(codec_errc::invalid_value);
    }
    r.skip(std::size_t{gtrid} + bqual);
  }
  if (!r.ok()) return fail(body_error(r));
  return ev;
}

// GTID_LIST body (MariaDB KB "GTID_LIST_EVENT"):
//   int<4>  count, low 28 bits (the top 4 are flags)
//   count times: int<4> domain, int<4> server_id, int<8> sequence
// The server writes its whole binlog state: one entry per (domain, server_id) that wrote in the
// domain, the domain's most recent GTID last (seen on 10.11: state 0-2-14,0-1-15,1-1-2 is written
// as 1-1-2, 0-2-14, 0-1-15). So a later entry of a domain replaces an earlier one.
Result<GtidList> decode_gtid_list(ByteView body) {
  ByteReader r(body);
  const std::uint32_t count = r.u32() & kGtidListCountMask;
  if (!r.ok()) return fail(body_error(r));
  if (count > r.remaining() / kGtidListEntrySize) return fail(codec_errc::invalid_length);
  GtidList list;
  list.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    Gtid gtid;
    gtid.domain = r.u32();
    gtid.server_id = r.u32();
    gtid.sequence = r.u64();
    advance(list, gtid);
  }
  if (!r.ok()) return fail(body_error(r));
  return list;
}

// BINLOG_CHECKPOINT body: int<4> file name length, string<length> file.
Result<BinlogCheckpoint> decode_binlog_checkpoint(ByteView body) {
  ByteReader r(body);
  const std::uint32_t length = r.u32();
  if (r.ok() && length > r.remaining()) return fail(codec_errc::invalid_length);
  const std::string_view file = r.string(length);
  if (!r.ok()) return fail(body_error(r));
  if (file.empty()) return fail(codec_errc::invalid_value);
  return BinlogCheckpoint{std::string(file)};
}

// ANNOTATE_ROWS body: string<EOF> statement (no post-header).
Result<AnnotateRows> decode_annotate_rows(ByteView body) { return AnnotateRows{as_chars(body)}; }

// HEARTBEAT body: string<EOF> the current binlog file name (no NUL); the position is the
// header's log_pos.
Result<Heartbeat> decode_heartbeat(ByteView body) { return Heartbeat{as_chars(body)}; }

}  // namespace gw::protocol::binlog
