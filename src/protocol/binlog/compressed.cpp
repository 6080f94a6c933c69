// MariaDB's compressed events (log_bin_compress): events.h has the block layout. Checked against
// MariaDB 10.11 with --log-bin-compress=ON --log-bin-compress-min-len=10: QUERY_COMPRESSED
// compresses only the statement; WRITE/UPDATE/DELETE_ROWS_COMPRESSED_EVENT_V1 only the rows,
// after the column count and bitmaps; lengths of 1 and 2 bytes, big-endian (0x81 0x36: 54 bytes;
// 0x82 0x01 0xbc: 444 bytes).

#include <zlib.h>

#include "core/byte_reader.h"
#include "core/errors.h"
#include "protocol/binlog/events.h"

namespace gw::protocol::binlog {
namespace {

constexpr std::uint8_t kCompressedFlag = 0x80;
constexpr std::uint8_t kAlgorithmMask = 0x70;  // 0: zlib
constexpr std::uint8_t kUnusedBit = 0x08;
constexpr std::uint8_t kLengthSizeMask = 0x07;
constexpr std::size_t kMaxLengthSize = 4;
// Deflate cannot produce more than 1032 bytes per byte of input (zlib's FAQ and zlib.h); a
// declared length above that for the bytes present is a lie, refused before allocating.
constexpr std::size_t kMaxDeflateRatio = 1032;
constexpr std::uint8_t kRowsPostHeaderV1 = 8;   // table_id<6>, flags<2>
constexpr std::uint8_t kRowsPostHeaderV2 = 10;  // and extra-data length<2>
constexpr std::size_t kRowsExtraLengthOffset = 8;

// Inflates `block` and appends the result to `out`; out is only grown after the length checks.
Result<void> inflate_into(ByteView block, std::size_t limit, Bytes& out) {
  ByteReader r(block);
  const std::uint8_t head = r.u8();
  if (!r.ok()) return fail(codec_errc::invalid_length);
  if ((head & kCompressedFlag) == 0 || (head & kUnusedBit) != 0) {
    return fail(codec_errc::invalid_value);
  }
  if ((head & kAlgorithmMask) != 0) return fail(codec_errc::unsupported);
  const std::size_t length_size = head & kLengthSizeMask;
  if (length_size == 0 || length_size > kMaxLengthSize) return fail(codec_errc::invalid_value);
  std::size_t length = 0;
  for (std::size_t i = 0; i < length_size; ++i) length = (length << 8) | r.u8();
  if (!r.ok()) return fail(codec_errc::invalid_length);
  const ByteView stream = r.rest();
  if (length > limit || length / kMaxDeflateRatio > stream.size()) {
    return fail(codec_errc::invalid_length);
  }

  const std::size_t start = out.size();
  out.resize(start + length);
  std::uint8_t none = 0;  // zlib refuses a null output pointer, even for zero bytes
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) {
    out.resize(start);
    return fail(std::make_error_code(std::errc::not_enough_memory));
  }
  zs.next_in = const_cast<Bytef*>(stream.data());
  zs.avail_in = static_cast<uInt>(stream.size());
  zs.next_out = length == 0 ? &none : out.data() + start;
  zs.avail_out = static_cast<uInt>(length);
  const int rc = inflate(&zs, Z_FINISH);
  const std::size_t produced = zs.total_out;
  const std::size_t unread = zs.avail_in;
  inflateEnd(&zs);
  // Anything but a clean end with exactly `length` bytes: corrupt, short, or longer than said.
  if (rc != Z_STREAM_END || produced != length) {
    out.resize(start);
    return fail(codec_errc::invalid_value);
  }
  if (unread != 0) {
    out.resize(start);
    return fail(codec_errc::trailing_bytes);
  }
  return {};
}

// For the decompress_* functions: `out` holds the copied prefix; on failure it is left empty.
Result<void> inflate_or_clear(ByteView block, std::size_t limit, Bytes& out) {
  auto ok = inflate_into(block, limit, out);
  if (!ok) out.clear();
  return ok;
}

}  // namespace

Result<Bytes> inflate_block(ByteView block, std::size_t limit) {
  Bytes out;
  if (auto ok = inflate_into(block, limit, out); !ok) return fail(ok.error());
  return out;
}

std::optional<EventType> uncompressed_type(std::uint8_t type) {
  switch (static_cast<EventType>(type)) {
    case EventType::QueryCompressed:
      return EventType::Query;
    case EventType::WriteRowsCompressedV1:
      return EventType::WriteRowsV1;
    case EventType::UpdateRowsCompressedV1:
      return EventType::UpdateRowsV1;
    case EventType::DeleteRowsCompressedV1:
      return EventType::DeleteRowsV1;
    case EventType::WriteRowsCompressed:
      return EventType::WriteRows;
    case EventType::UpdateRowsCompressed:
      return EventType::UpdateRows;
    case EventType::DeleteRowsCompressed:
      return EventType::DeleteRows;
    default:
      return std::nullopt;
  }
}

Result<void> decompress_query(ByteView body, std::uint8_t post_header_length, Bytes& out,
                              std::size_t limit) {
  out.clear();
  auto query = decode_query(body, post_header_length);
  if (!query) return fail(query.error());
  // The statement runs to the end of the body: what precedes it is copied as it is.
  const std::size_t prefix = body.size() - query->statement.size();
  out.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(prefix));
  return inflate_or_clear(body.subspan(prefix), limit, out);
}

// Rows event body before the rows (MariaDB KB "Rows Event"; table_map.h, rows.h):
//   post-header: int<6> table_id, int<2> flags, [v2: int<2> extra-data length n, counting itself]
//   [v2: byte<n-2> extra data]
//   int<lenenc> column count w
//   bitmap (w+7)/8 columns present; UPDATE: a second one for the after image
//   the rows: here, the compressed block
Result<void> decompress_rows(std::uint8_t type, ByteView body, std::uint8_t post_header_length,
                             Bytes& out, std::size_t limit) {
  out.clear();
  const auto twin = uncompressed_type(type);
  if (!twin || *twin == EventType::Query) return fail(codec_errc::unexpected_message);
  if (post_header_length != kRowsPostHeaderV1 && post_header_length != kRowsPostHeaderV2) {
    return fail(codec_errc::unsupported);
  }
  const bool update = *twin == EventType::UpdateRowsV1 || *twin == EventType::UpdateRows;
  ByteReader r(body);
  r.skip(kRowsExtraLengthOffset);
  if (post_header_length == kRowsPostHeaderV2) {
    const std::uint16_t extra = r.u16();
    if (r.ok() && extra < 2) return fail(codec_errc::invalid_value);
    r.skip(extra - std::size_t{2});
  }
  const std::uint64_t width = r.lenenc();
  if (!r.ok()) {
    return fail(r.error() == codec_errc::need_more ? codec_errc::invalid_length
                                                   : codec_errc::invalid_value);
  }
  if (width / 8 > r.remaining()) return fail(codec_errc::invalid_length);
  const std::size_t bitmap = (static_cast<std::size_t>(width) + 7) / 8;
  r.skip(bitmap);
  if (update) r.skip(bitmap);
  if (!r.ok()) return fail(codec_errc::invalid_length);
  const std::size_t prefix = r.position();
  out.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(prefix));
  return inflate_or_clear(body.subspan(prefix), limit, out);
}

}  // namespace gw::protocol::binlog
