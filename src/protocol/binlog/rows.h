#pragma once
// WRITE/UPDATE/DELETE_ROWS (v1 from MariaDB, v2 from MySQL; compressed ones after
// decompress_rows() in events.h): the row images, decoded one row at a time against the
// TABLE_MAP they name, so that a huge event or transaction is never held decoded in memory.
// References: MariaDB KB "Rows_event_v1/v2"; MySQL libbinlogevents rows_event.h; server
// sql/log_event_server.cc (unpack_row) and field.cc (each type's binlog format).
//
// Wire layout (body):
//   int<6>         table_id
//   int<2>         flags             (0x0001 = STMT_END_F: the last row event of the statement)
//   v2 only: int<2> extra-data length (including these 2 bytes), extra data
//   int<lenenc>    column count n
//   bitmap (n+7)/8 columns present in the image (before image for UPDATE)
//   UPDATE only:   bitmap (n+7)/8 columns present in the after image
//   rows to the end, each:
//     bitmap (p+7)/8 NULL flags over the p present columns, then each present non-NULL value
//     UPDATE: the before image as above, then the after image (its own NULL bitmap)

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/binlog/event.h"
#include "protocol/binlog/table_map.h"
#include "protocol/value.h"

namespace gw::protocol::binlog {

enum class RowsKind : std::uint8_t { Write, Update, Delete };

// Index = column index in the TABLE_MAP; nullopt = the column is not in this image
// (binlog_row_image MINIMAL or NOBLOB). SQL NULL is a present NullValue.
using RowImage = std::vector<std::optional<Value>>;

struct RowsEvent {
  RowsKind kind = RowsKind::Write;
  std::uint64_t table_id = 0;
  std::uint16_t flags = 0;
  std::uint64_t column_count = 0;
  std::vector<bool> present;        // per column, before image (or the only image)
  std::vector<bool> present_after;  // UPDATE: per column, after image
  ByteView rows;                    // the row images, undecoded

  static constexpr std::uint16_t kStatementEnd = 0x0001;
};

// For the uncompressed row types (23-25, 30-32); other types: unexpected_message.
Result<RowsEvent> decode_rows_event(EventType type, ByteView body, std::uint8_t post_header_length);

// Decodes the rows of one event one by one. The event and table must outlive the cursor.
// A column count that differs from the table's is invalid_value (the TABLE_MAP and the rows
// disagree: never decode against the wrong model).
class RowCursor {
 public:
  RowCursor(const RowsEvent& event, const TableMap& table);

  bool at_end() const;
  // Fills the images the event's kind has (Write: after; Delete: before; Update: both) and
  // resizes them to the column count; the other is cleared. Reuses their storage.
  Result<void> next(RowImage& before, RowImage& after);

 private:
  Result<void> read_image(const std::vector<bool>& present, RowImage& image);

  const RowsEvent* event_;
  const TableMap* table_;
  ByteView rest_;
};

// One value of `column` at the start of `bytes`; `consumed` says how many bytes it took.
// Exposed for the unit tests of each type and for the fuzz target. What each type becomes:
//   integers, YEAR (0 stays 0, else 1900+n), BIT    int64 / uint64 by SIGNEDNESS; BIT uint64
//   FLOAT, DOUBLE, NEWDECIMAL                       float, double, Decimal (exact text)
//   DATE, DATETIME(2), TIMESTAMP(2)                 DateTime (TIMESTAMP in UTC), fsp from meta
//   TIME(2)                                         Time (negative and fractions), fsp from meta
//   CHAR/VARCHAR/BLOB/TEXT                          String, or Binary for charset 63; a binary
//                                                   CHAR (BINARY(n), INET6, UUID, INET4) is
//                                                   padded back to n zero bytes as SELECT shows it
//   ENUM, SET                                       String from the column's values; without
//                                                   them (MINIMAL metadata) the index / bitmask
//   GEOMETRY; JSON (MySQL binary, type 245)         Geometry; String with the JSON text
// Errors: need_more when the value runs past `bytes`; invalid_length for a length past the
// column's declared maximum; invalid_value for a value the type cannot hold; unsupported for
// the pre-5.0 DECIMAL and unknown types.
Result<Value> decode_column_value(const Column& column, ByteView bytes, std::size_t& consumed);

}  // namespace gw::protocol::binlog
