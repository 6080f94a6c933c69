// Binlog TABLE_MAP and row events (protocol/binlog/table_map.h, rows.h): the table model from
// any bytes, and rows from any bytes against a table map (one of the captured ones, or one
// decoded from the input itself). The first byte chooses:
//   0        decode_table_map on the rest
//   1..6     a row event body (the rest) of type 23/24/25/30/31/32 against captured map (b1 % 7)
//   7        a u16 length, a table map of that many bytes, then a row event body (type b1)
// Properties: no crash or read past the input (ASan); output bounded by the input; decoding is
// deterministic (a second decode gives the same model and the same values). Links gw_protocol
// only, so that it builds while the event log's change records are being written elsewhere.

#include <array>
#include <bit>
#include <cstdint>
#include <optional>
#include <variant>

#include "../unit/protocol/binlog/captured_rows.h"
#include "fuzz_support.h"
#include "protocol/binlog/rows.h"
#include "protocol/binlog/table_map.h"

using namespace gw;
using namespace gw::protocol;
using namespace gw::protocol::binlog;

namespace {

constexpr std::array<EventType, 6> kRowTypes = {EventType::WriteRowsV1,  EventType::UpdateRowsV1,
                                                EventType::DeleteRowsV1, EventType::WriteRows,
                                                EventType::UpdateRows,   EventType::DeleteRows};

const std::array<ByteView, 7> kMaps = {
    ByteView(binlog::testing::kIntsTableMap),  ByteView(binlog::testing::kDecsTableMap),
    ByteView(binlog::testing::kTimesTableMap), ByteView(binlog::testing::kStrsTableMap),
    ByteView(binlog::testing::kMiscTableMap),  ByteView(binlog::testing::kMixedTableMap),
    ByteView(binlog::testing::kMiniTableMap)};

bool same_model(const TableMap& a, const TableMap& b) {
  if (a.table_id != b.table_id || a.db != b.db || a.table != b.table ||
      a.columns.size() != b.columns.size() || a.primary_key != b.primary_key ||
      a.has_names != b.has_names) {
    return false;
  }
  for (std::size_t i = 0; i < a.columns.size(); ++i) {
    const Column& x = a.columns[i];
    const Column& y = b.columns[i];
    if (x.type != y.type || x.meta != y.meta || x.nullable != y.nullable ||
        x.is_unsigned != y.is_unsigned || x.charset != y.charset || x.name != y.name ||
        x.values != y.values) {
      return false;
    }
  }
  return true;
}

// Value's == compares a NaN FLOAT or DOUBLE as different from itself: compare their bits.
bool same_value(const Value& a, const Value& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<float>(&a)) {
    return std::bit_cast<std::uint32_t>(*x) == std::bit_cast<std::uint32_t>(std::get<float>(b));
  }
  if (const auto* x = std::get_if<double>(&a)) {
    return std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(std::get<double>(b));
  }
  return a == b;
}

bool same_image(const RowImage& a, const RowImage& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].has_value() != b[i].has_value()) return false;
    if (a[i] && !same_value(*a[i], *b[i])) return false;
  }
  return true;
}

std::size_t value_size(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::size_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, String> || std::is_same_v<T, protocol::Binary>) {
          return x.bytes.size();
        } else if constexpr (std::is_same_v<T, Decimal>) {
          return x.text.size();
        } else if constexpr (std::is_same_v<T, Geometry>) {
          return x.wkb.size();
        } else {
          return 8;
        }
      },
      v);
}

void check_table_map(ByteView body) {
  auto table = decode_table_map(body, 8);
  if (!table) return;
  // Every column took at least its type byte; every ENUM/SET string at least a length byte.
  FUZZ_CHECK(table->columns.size() <= body.size());
  std::size_t strings = 0;
  for (const Column& c : table->columns) strings += c.values.size();
  FUZZ_CHECK(strings <= body.size());
  FUZZ_CHECK(table->primary_key.size() <= body.size());
  auto again = decode_table_map(body, 8);
  FUZZ_CHECK(again.has_value() && same_model(*table, *again));
}

void check_rows(const TableMap& table, EventType type, ByteView body) {
  const std::uint8_t post_header = static_cast<std::uint8_t>(type) >= 30 ? 10 : 8;
  auto event = decode_rows_event(type, body, post_header);
  if (!event) return;
  FUZZ_CHECK(event->present.size() == event->column_count);
  RowCursor cursor(*event, table);
  RowCursor replay(*event, table);
  RowImage before;
  RowImage after;
  RowImage before2;
  RowImage after2;
  std::size_t output = 0;
  // Each row consumes at least one byte (its NULL bitmap) or fails: the loop ends.
  for (std::size_t rows = 0; !cursor.at_end(); ++rows) {
    FUZZ_CHECK(rows <= body.size());
    auto next = cursor.next(before, after);
    auto next2 = replay.next(before2, after2);
    FUZZ_CHECK(next.has_value() == next2.has_value());
    if (!next) {
      FUZZ_CHECK(next.error() == next2.error());
      break;
    }
    FUZZ_CHECK(same_image(before, before2) && same_image(after, after2));
    for (const RowImage* image : {&before, &after}) {
      if (!image->empty()) FUZZ_CHECK(image->size() == table.columns.size());
      for (const auto& value : *image) {
        if (!value) continue;
        output += value_size(*value);
      }
    }
  }
  // JSON text is limited to 16 times its bytes; a BINARY(n) value is padded to at most 1020
  // bytes (CHAR(255) of 4-byte characters) from one length byte.
  FUZZ_CHECK(output <= 16 * body.size() + 1024 * (body.size() + 1) + 64);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t mode = in.u8() % 8;
  if (mode == 0) {
    check_table_map(in.rest());
    return 0;
  }
  const std::uint8_t choice = in.u8();
  const EventType type = kRowTypes[choice % kRowTypes.size()];
  if (mode == 7) {
    const ByteView map = in.take(in.u16());
    check_table_map(map);
    auto table = decode_table_map(map, 8);
    if (table) check_rows(*table, type, in.rest());
    return 0;
  }
  auto table = decode_table_map(kMaps[(mode - 1u + choice / 8u) % kMaps.size()], 8);
  FUZZ_CHECK(table.has_value());
  check_rows(*table, type, in.rest());
  return 0;
}
