// Row events decoded against their TABLE_MAPs, all captured from MariaDB 10.11
// (captured_rows.h). Every expected value is what `SELECT` returned for the row (session
// time_zone '+00:00') and agrees with `mariadb-binlog -vv --base64-output=decode-rows`, except
// where a comment says how the two differ.
#include "protocol/binlog/rows.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "captured_rows.h"
#include "core/bytes.h"
#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

using ByteVec = gw::Bytes;

using testing::kPostHeaderLength;

Value I(std::int64_t v) { return Value{v}; }
Value U(std::uint64_t v) { return Value{v}; }
Value N() { return Value{NullValue{}}; }
Value Dec(std::string text) { return Value{Decimal{std::move(text)}}; }
Value S(std::string text) { return Value{String{std::move(text)}}; }
Value B(std::string bytes) { return Value{protocol::Binary{std::move(bytes)}}; }
Value Geo(std::uint32_t srid, std::string wkb) { return Value{Geometry{srid, std::move(wkb)}}; }

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

Value date(int y, int m, int d) {
  DateTime v;
  v.type = DateTime::Type::Date;
  v.year = static_cast<std::uint16_t>(y);
  v.month = static_cast<std::uint8_t>(m);
  v.day = static_cast<std::uint8_t>(d);
  v.fsp = 0;
  return v;
}

Value datetime(DateTime::Type type, int y, int mo, int d, int h, int mi, int s, std::uint32_t us,
               int fsp) {
  DateTime v;
  v.type = type;
  v.year = static_cast<std::uint16_t>(y);
  v.month = static_cast<std::uint8_t>(mo);
  v.day = static_cast<std::uint8_t>(d);
  v.hour = static_cast<std::uint8_t>(h);
  v.minute = static_cast<std::uint8_t>(mi);
  v.second = static_cast<std::uint8_t>(s);
  v.microsecond = us;
  v.fsp = static_cast<std::int8_t>(fsp);
  return v;
}
Value dt(int y, int mo, int d, int h, int mi, int s, std::uint32_t us, int fsp) {
  return datetime(DateTime::Type::DateTime, y, mo, d, h, mi, s, us, fsp);
}
Value ts(int y, int mo, int d, int h, int mi, int s, std::uint32_t us, int fsp) {
  return datetime(DateTime::Type::Timestamp, y, mo, d, h, mi, s, us, fsp);
}
Value tm(bool negative, unsigned hours, int mi, int s, std::uint32_t us, int fsp) {
  Time v;
  v.negative = negative;
  v.days = hours / 24;
  v.hour = static_cast<std::uint8_t>(hours % 24);
  v.minute = static_cast<std::uint8_t>(mi);
  v.second = static_cast<std::uint8_t>(s);
  v.microsecond = us;
  v.fsp = static_cast<std::int8_t>(fsp);
  return v;
}

RowImage nulls_after_id(int id, std::size_t count) {
  RowImage image(count, N());
  image[0] = I(id);
  return image;
}

struct Row {
  RowImage before;
  RowImage after;
};

std::vector<Row> decode_all(EventType type, ByteView body, ByteView table_map) {
  const auto table = decode_table_map(table_map, kPostHeaderLength);
  EXPECT_TRUE(table.has_value());
  const auto event = decode_rows_event(type, body, kPostHeaderLength);
  EXPECT_TRUE(event.has_value()) << event.error().message();
  std::vector<Row> rows;
  if (!table || !event) return rows;
  RowCursor cursor(*event, *table);
  while (!cursor.at_end()) {
    Row row;
    const auto next = cursor.next(row.before, row.after);
    EXPECT_TRUE(next.has_value()) << next.error().message();
    if (!next) break;
    rows.push_back(std::move(row));
  }
  return rows;
}

void expect_image(const RowImage& got, const RowImage& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i], want[i]) << what << ": column " << i;
  }
}

constexpr auto kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr auto kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr auto kU64Max = std::numeric_limits<std::uint64_t>::max();

TEST(Rows, IntsEveryWidthAtItsEdges) {
  const auto event = decode_rows_event(EventType::WriteRowsV1, testing::kIntsWrite, 8);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->kind, RowsKind::Write);
  EXPECT_EQ(event->table_id, 18u);
  EXPECT_EQ(event->flags, RowsEvent::kStatementEnd);
  EXPECT_EQ(event->column_count, 17u);

  const auto rows = decode_all(EventType::WriteRowsV1, testing::kIntsWrite, testing::kIntsTableMap);
  ASSERT_EQ(rows.size(), 4u);
  for (const Row& r : rows) EXPECT_TRUE(r.before.empty());
  expect_image(
      rows[0].after,
      {I(1), I(-128), U(0), I(-32768), U(0), I(-8388608), U(0), I(-2147483648LL), U(0), I(kI64Min),
       U(0), U(1901), U(0), Value{-1.5f}, Value{0.0f}, Value{-2.25}, Dec("0.00")},
      "minimums");
  expect_image(rows[1].after,
               {I(2), I(127), U(255), I(32767), U(65535), I(8388607), U(16777215), I(2147483647),
                U(4294967295u), I(kI64Max), U(kU64Max), U(2155), U(255),
                Value{std::numeric_limits<float>::max()}, Value{1.25f},
                Value{std::numeric_limits<double>::max()}, Dec("99999999.99")},
               "maximums");
  expect_image(rows[2].after, nulls_after_id(3, 17), "nulls");
  // YEAR 0 stays 0 (SELECT: 0000; mariadb-binlog prints 1900).
  expect_image(rows[3].after,
               {I(4), I(0), U(1), I(0), U(1), I(0), U(1), I(0), U(1), I(0), U(1), U(0), U(1),
                Value{0.0f}, Value{0.0f}, Value{0.0}, Dec("0.00")},
               "zeros");
}

TEST(Rows, DecimalsExact) {
  const auto rows = decode_all(EventType::WriteRowsV1, testing::kDecsWrite, testing::kDecsTableMap);
  ASSERT_EQ(rows.size(), 5u);
  const std::string nines = "99999999999999999999999999999999999.999999999999999999999999999999";
  expect_image(
      rows[0].after,
      {I(1), Dec("-" + nines), Dec("-12345678.99"), Dec("-99999"), Dec("-1234567890.0123456789")},
      "negative");
  expect_image(rows[1].after,
               {I(2), Dec(nines), Dec("12345678.99"), Dec("99999"), Dec("0.0000000001")},
               "positive");
  expect_image(
      rows[2].after,
      {I(3), Dec("0.000000000000000000000000000000"), Dec("0.00"), Dec("0"), Dec("0.0000000000")},
      "zero");
  expect_image(
      rows[3].after,
      {I(4), Dec("1.500000000000000000000000000000"), Dec("-0.01"), Dec("7"), Dec("-0.5000000000")},
      "small");
  expect_image(rows[4].after, nulls_after_id(5, 5), "nulls");
}

TEST(Rows, TemporalEdges) {
  const auto rows =
      decode_all(EventType::WriteRowsV1, testing::kTimesWrite, testing::kTimesTableMap);
  ASSERT_EQ(rows.size(), 5u);
  expect_image(
      rows[0].after,
      {I(1), date(0, 0, 0), tm(true, 838, 59, 59, 0, 6), tm(true, 838, 59, 59, 0, 0),
       tm(true, 0, 0, 1, 500000, 3), dt(1000, 1, 1, 0, 0, 0, 0, 6), dt(1000, 1, 1, 0, 0, 0, 0, 0),
       dt(1000, 1, 1, 0, 0, 0, 10000, 2), ts(1970, 1, 1, 0, 0, 1, 0, 6),
       ts(1970, 1, 1, 0, 0, 1, 0, 0), ts(1970, 1, 1, 0, 0, 1, 100, 4), U(1901)},
      "low edges");
  expect_image(rows[1].after,
               {I(2), date(9999, 12, 31), tm(false, 838, 59, 59, 0, 6),
                tm(false, 838, 59, 59, 0, 0), tm(false, 838, 59, 59, 999000, 3),
                dt(9999, 12, 31, 23, 59, 59, 999999, 6), dt(9999, 12, 31, 23, 59, 59, 0, 0),
                dt(9999, 12, 31, 23, 59, 59, 990000, 2), ts(2038, 1, 19, 3, 14, 7, 999999, 6),
                ts(2038, 1, 19, 3, 14, 7, 0, 0), ts(2038, 1, 19, 3, 14, 7, 999900, 4), U(2155)},
               "high edges");
  expect_image(rows[2].after,
               {I(3), date(2024, 2, 29), tm(true, 0, 0, 1, 500000, 6), tm(true, 0, 0, 1, 0, 0),
                tm(true, 0, 0, 0, 1000, 3), dt(2024, 2, 29, 12, 34, 56, 789012, 6),
                dt(2024, 2, 29, 12, 34, 56, 0, 0), dt(2024, 2, 29, 12, 34, 56, 780000, 2),
                ts(2024, 2, 29, 12, 34, 56, 789012, 6), ts(2024, 2, 29, 12, 34, 56, 0, 0),
                ts(2024, 2, 29, 12, 34, 56, 789100, 4), U(0)},
               "leap day, negative fractions");
  expect_image(rows[3].after, nulls_after_id(4, 12), "nulls");
  expect_image(rows[4].after,
               {I(5), date(0, 0, 0), tm(false, 0, 0, 0, 0, 6), tm(false, 0, 0, 0, 0, 0),
                tm(false, 0, 0, 0, 0, 3), dt(0, 0, 0, 0, 0, 0, 0, 6), dt(0, 0, 0, 0, 0, 0, 0, 0),
                dt(0, 0, 0, 0, 0, 0, 0, 2), ts(0, 0, 0, 0, 0, 0, 0, 6), ts(0, 0, 0, 0, 0, 0, 0, 0),
                ts(0, 0, 0, 0, 0, 0, 0, 4), U(2000)},
               "zero dates");
}

TEST(Rows, StringsByCharsetEnumSetBitJson) {
  const auto rows = decode_all(EventType::WriteRowsV1, testing::kStrsWrite, testing::kStrsTableMap);
  ASSERT_EQ(rows.size(), 4u);
  // BINARY(4) 'ab' is logged as "ab" and read back padded with zero bytes, as SELECT shows it.
  expect_image(rows[0].after,
               {I(1), S("\xc3\xa9\xe2\x9c\x93"), S("lat"), B(std::string("ab\0\0", 4)),
                S("h\xc3\xa9llo w\xc3\xb6rld"), S("x"),
                B(std::string("\0"
                              "12",
                              3)),
                S("z"), S("text \xe2\x9c\x93"), B(std::string("\0blobxff", 8)), B(""), S("med"),
                B(""), S("bb"), S("x,z"), U(1), U(kU64Max), U(0x201),
                S(R"({"a": [1, 2.5, null, true], "b": "x"})")},
               "values");
  // '' into an ENUM under sql_mode '' is index 0: the empty string.
  expect_image(rows[1].after,
               {I(2), S(""), S(""), B(std::string(4, '\0')), S(""), S(""), B(""), S(""), S(""),
                B(""), B(""), S(""), B(""), S(""), S(""), U(0), U(0), U(0), S("[]")},
               "empty");
  expect_image(rows[2].after, nulls_after_id(3, 19), "nulls");
  expect_image(rows[3].after,
               {I(4), S("abcd"), S("0123456789"), B(std::string("\0\xff\0\0", 4)),
                S(repeat("\xe2\x9c\x93", 20)), S(repeat("y", 300)), B("\xff"),
                S(repeat("\xe2\x9c\x93", 255)), S("t"), B("b"), B("tb"), S("m"), B("lb"), S("ccc"),
                S("x,y,z"), U(0), U(0x8000000000000001u), U(1023), S("\"s\"")},
               "long");
}

TEST(Rows, GeometryInet6Uuid) {
  const auto rows = decode_all(EventType::WriteRowsV1, testing::kMiscWrite, testing::kMiscTableMap);
  ASSERT_EQ(rows.size(), 3u);
  expect_image(rows[0].after,
               {I(1), Geo(0, unhex("0101000000000000000000f03f0000000000000040")),
                Geo(4326, unhex("0101000000000000000000f8bf0000000000000240")),
                B(unhex("20010db8000000000000ff0000428329")),
                B(unhex("123e4567e89b12d3a456426655440000")), I(5), B(unhex("c0a80001"))},
               "values");
  // INET6 '::' and the nil UUID are logged as empty strings: the zero padding restores them.
  expect_image(rows[1].after,
               {I(2), N(), N(), B(std::string(16, '\0')), B(std::string(16, '\0')), I(-1), N()},
               "zeros");
  expect_image(rows[2].after,
               {I(3),
                Geo(0, unhex("01020000000200000000000000000000000000000000000000000000000000f03f"
                             "000000000000f03f")),
                N(), N(), N(), I(0), B(unhex("ffffffff"))},
               "linestring");
}

TEST(Rows, MixedTable) {
  const auto rows =
      decode_all(EventType::WriteRowsV1, testing::kMixedWrite, testing::kMixedTableMap);
  ASSERT_EQ(rows.size(), 1u);
  expect_image(rows[0].after,
               {U(200), U(2001), U(5), U(7), S("vv"), S("q"), I(-7), B("bin"), Dec("12.5"),
                S("abc"), S("n"), I(1), N()},
               "mixed");
}

TEST(Rows, MinimalMetadataEnumIsItsIndex) {
  const auto rows = decode_all(EventType::WriteRowsV1, testing::kMiniWrite, testing::kMiniTableMap);
  ASSERT_EQ(rows.size(), 1u);
  expect_image(rows[0].after, {I(1), U(4294967295u), S("hi"), U(2)}, "mini");
}

TEST(Rows, UpdateAndDelete) {
  auto rows = decode_all(EventType::UpdateRowsV1, testing::kIntsUpdate, testing::kIntsTableMap);
  ASSERT_EQ(rows.size(), 1u);
  const RowImage before = {I(4), I(0),        U(1),        I(0),       U(1),       I(0),
                           U(1), I(0),        U(1),        I(0),       U(1),       U(0),
                           U(1), Value{0.0f}, Value{0.0f}, Value{0.0}, Dec("0.00")};
  RowImage after = before;
  after[1] = I(5);
  after[3] = N();
  expect_image(rows[0].before, before, "update before");
  expect_image(rows[0].after, after, "update after");

  rows = decode_all(EventType::DeleteRowsV1, testing::kDecsDelete, testing::kDecsTableMap);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].after.empty());
  expect_image(
      rows[0].before,
      {I(4), Dec("1.500000000000000000000000000000"), Dec("-0.01"), Dec("7"), Dec("-0.5000000000")},
      "delete");

  rows = decode_all(EventType::UpdateRowsV1, testing::kStrsUpdate, testing::kStrsTableMap);
  ASSERT_EQ(rows.size(), 1u);
  ASSERT_EQ(rows[0].after.size(), 19u);
  EXPECT_EQ(rows[0].before[4], S(""));
  EXPECT_EQ(rows[0].after[4], S("upd"));
  EXPECT_EQ(rows[0].after[3], B(std::string(4, '\0')));
}

TEST(Rows, MinimalRowImageLeavesColumnsOut) {
  const auto rows =
      decode_all(EventType::UpdateRowsV1, testing::kIntsUpdateMinimal, testing::kIntsTableMap);
  ASSERT_EQ(rows.size(), 1u);
  RowImage before(17);
  before[0] = I(4);
  RowImage after(17);
  after[7] = I(42);
  expect_image(rows[0].before, before, "before: the key");
  expect_image(rows[0].after, after, "after: the changed column");
}

// A v2 body made from a captured v1 body by adding the extra-data block (hand-built: MariaDB
// writes v1 only).
ByteVec as_v2(ByteView v1, const ByteVec& extra) {
  ByteVec out(v1.begin(), v1.begin() + 8);
  const std::size_t length = extra.size() + 2;
  out.push_back(static_cast<std::uint8_t>(length));
  out.push_back(static_cast<std::uint8_t>(length >> 8));
  out.insert(out.end(), extra.begin(), extra.end());
  out.insert(out.end(), v1.begin() + 8, v1.end());
  return out;
}

TEST(Rows, V2ExtraDataIsSkippedAndBounded) {
  const ByteVec v2 = as_v2(testing::kMixedWrite, {0x00, 0x01, 0x02});
  const auto event = decode_rows_event(EventType::WriteRows, v2, 10);
  ASSERT_TRUE(event.has_value()) << event.error().message();
  const auto v1 = decode_rows_event(EventType::WriteRowsV1, testing::kMixedWrite, 8);
  ASSERT_TRUE(v1.has_value());
  EXPECT_EQ(event->column_count, v1->column_count);
  EXPECT_EQ(event->present, v1->present);
  EXPECT_TRUE(std::equal(event->rows.begin(), event->rows.end(), v1->rows.begin(), v1->rows.end()));

  ByteVec lying = v2;
  lying[8] = 0xff;  // extra data longer than the body
  auto bad = decode_rows_event(EventType::WriteRows, lying, 10);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), codec_errc::invalid_length);
  lying[8] = 0x01;  // shorter than its own length field
  lying[9] = 0x00;
  bad = decode_rows_event(EventType::WriteRows, lying, 10);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), codec_errc::invalid_length);
}

TEST(Rows, OtherEventTypesAreUnexpected) {
  const auto event = decode_rows_event(EventType::TableMap, testing::kMixedWrite, 8);
  ASSERT_FALSE(event.has_value());
  EXPECT_EQ(event.error(), codec_errc::unexpected_message);
}

TEST(Rows, ColumnCountDisagreeingWithTheTableMapIsInvalid) {
  const auto table = decode_table_map(testing::kMiniTableMap, kPostHeaderLength);
  ASSERT_TRUE(table.has_value());
  const auto event = decode_rows_event(EventType::WriteRowsV1, testing::kMixedWrite, 8);
  ASSERT_TRUE(event.has_value());
  RowCursor cursor(*event, *table);
  RowImage before;
  RowImage after;
  const auto next = cursor.next(before, after);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error(), codec_errc::invalid_value);
}

TEST(Rows, ARowOfNoBytesIsInvalidNotAnEndlessLoop) {
  // Hand-built (found by fuzzing): an image with no column present makes rows of zero bytes; a
  // cursor that accepted them would never reach the end of the event.
  const auto table = decode_table_map(testing::kMiniTableMap, kPostHeaderLength);
  ASSERT_TRUE(table.has_value());
  const ByteVec body = {0x1b, 0, 0, 0, 0, 0, 0x01, 0x00, 0x04, 0x00, 'x'};
  const auto event = decode_rows_event(EventType::WriteRowsV1, body, 8);
  ASSERT_TRUE(event.has_value());
  RowCursor cursor(*event, *table);
  RowImage before;
  RowImage after;
  const auto next = cursor.next(before, after);
  ASSERT_FALSE(next.has_value());
  EXPECT_EQ(next.error(), codec_errc::invalid_value);
}

TEST(Rows, EveryStrictPrefixOfARowIsNeedMoreOrInvalid) {
  struct Case {
    EventType type;
    ByteView body;
    ByteView table_map;
  };
  const Case cases[] = {
      {EventType::WriteRowsV1, testing::kIntsWrite, testing::kIntsTableMap},
      {EventType::WriteRowsV1, testing::kDecsWrite, testing::kDecsTableMap},
      {EventType::WriteRowsV1, testing::kTimesWrite, testing::kTimesTableMap},
      {EventType::WriteRowsV1, testing::kStrsWrite, testing::kStrsTableMap},
      {EventType::WriteRowsV1, testing::kMiscWrite, testing::kMiscTableMap},
      {EventType::UpdateRowsV1, testing::kIntsUpdate, testing::kIntsTableMap},
      {EventType::DeleteRowsV1, testing::kDecsDelete, testing::kDecsTableMap},
  };
  for (const Case& c : cases) {
    const auto table = decode_table_map(c.table_map, kPostHeaderLength);
    auto event = decode_rows_event(c.type, c.body, kPostHeaderLength);
    ASSERT_TRUE(table && event);
    // The first row's length: decode it from the whole event.
    RowImage before;
    RowImage after;
    RowCursor whole(*event, *table);
    ASSERT_TRUE(whole.next(before, after).has_value());
    const ByteView rows = event->rows;
    // Every strict prefix of the event's rows that ends inside the first row.
    std::size_t first_row = 0;
    for (std::size_t n = 1; n <= rows.size(); ++n) {
      event->rows = rows.first(n);
      RowCursor cursor(*event, *table);
      if (cursor.next(before, after).has_value()) {
        first_row = n;
        break;
      }
    }
    ASSERT_GT(first_row, 0u);
    for (std::size_t n = 0; n < first_row; ++n) {
      event->rows = rows.first(n);
      RowCursor cursor(*event, *table);
      const auto next = cursor.next(before, after);
      ASSERT_FALSE(next.has_value()) << n;
      EXPECT_TRUE(next.error() == codec_errc::need_more ||
                  next.error() == codec_errc::invalid_value ||
                  next.error() == codec_errc::invalid_length)
          << n << ": " << next.error().message();
    }
    // And every strict prefix of the event body before the rows fails to decode.
    const std::size_t header = c.body.size() - rows.size();
    for (std::size_t n = 0; n < header; ++n) {
      const auto cut = decode_rows_event(c.type, c.body.first(n), kPostHeaderLength);
      ASSERT_FALSE(cut.has_value()) << n;
      EXPECT_EQ(cut.error(), codec_errc::need_more) << n;
    }
  }
}

TEST(Rows, LengthsThatLie) {
  const auto table = decode_table_map(testing::kMixedTableMap, kPostHeaderLength);
  ASSERT_TRUE(table.has_value());
  ByteVec body(std::begin(testing::kMixedWrite), std::end(testing::kMixedWrite));
  // Row: NULL bitmap (2 bytes), a (1), y (1), b (1), c (4), then v's length byte.
  const auto event = decode_rows_event(EventType::WriteRowsV1, body, 8);
  ASSERT_TRUE(event.has_value());
  const std::size_t rows_at = body.size() - event->rows.size();
  const std::size_t v_length = rows_at + 2 + 1 + 1 + 1 + 4;
  ASSERT_EQ(body[v_length], 2);  // "vv"
  const auto first_error = [&](const ByteVec& bytes) {
    auto e = decode_rows_event(EventType::WriteRowsV1, bytes, 8);
    EXPECT_TRUE(e.has_value());
    RowCursor cursor(*e, *table);
    RowImage before;
    RowImage after;
    const auto next = cursor.next(before, after);
    EXPECT_FALSE(next.has_value());
    return next ? std::error_code{} : next.error();
  };
  ByteVec past_max = body;
  past_max[v_length] = 21;  // VARCHAR(5) utf8mb4: at most 20 bytes
  EXPECT_EQ(first_error(past_max), codec_errc::invalid_length);
  ByteVec past_end = body;
  past_end[v_length] = 20;  // within the maximum, past the event
  EXPECT_EQ(first_error(past_end), codec_errc::need_more);
  // ENUM e (after v) holds an index past its two strings.
  ByteVec bad_enum = body;
  bad_enum[v_length + 3] = 3;
  EXPECT_EQ(first_error(bad_enum), codec_errc::invalid_value);
}

}  // namespace
}  // namespace gw::protocol::binlog
