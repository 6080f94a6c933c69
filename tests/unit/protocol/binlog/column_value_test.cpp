// decode_column_value per type, on hand-built values (each says where its bytes come from) for
// the paths the captured rows in rows_test.cpp do not reach, and the failure paths.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/errors.h"
#include "protocol/binlog/rows.h"

namespace gw::protocol::binlog {
namespace {

using ByteVec = gw::Bytes;

Column column(ColumnType type, std::uint16_t meta = 0, std::uint32_t charset = 0) {
  Column c;
  c.type = type;
  c.meta = meta;
  c.charset = charset;
  return c;
}

Result<Value> decode(const Column& c, const ByteVec& bytes, std::size_t expect_consumed) {
  std::size_t consumed = 0;
  auto value = decode_column_value(c, bytes, consumed);
  if (value) {
    EXPECT_EQ(consumed, expect_consumed);
  }
  return value;
}

// Every strict prefix of a value is need_more.
void expect_prefixes_need_more(const Column& c, const ByteVec& bytes) {
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    std::size_t consumed = 0;
    const auto v = decode_column_value(c, ByteView(bytes).first(n), consumed);
    ASSERT_FALSE(v.has_value()) << n;
    EXPECT_EQ(v.error(), codec_errc::need_more) << n;
  }
}

TEST(ColumnValue, IntegersSignExtendByWidth) {
  EXPECT_EQ(decode(column(ColumnType::Int24), {0xff, 0xff, 0xff}, 3), Value{std::int64_t{-1}});
  Column u = column(ColumnType::Int24);
  u.is_unsigned = true;
  EXPECT_EQ(decode(u, {0xff, 0xff, 0xff}, 3), Value{std::uint64_t{16777215}});
  EXPECT_EQ(decode(column(ColumnType::Short), {0x00, 0x80}, 2), Value{std::int64_t{-32768}});
  expect_prefixes_need_more(column(ColumnType::LongLong), ByteVec(8, 0xff));
}

TEST(ColumnValue, DecimalDocumentedExample) {
  // strings/decimal.c documents 1234567890.1234 as DECIMAL(14,4): 81 0D FB 38 D2 04 D2, and
  // its negative as every byte inverted: 7E F2 04 C7 2D FB 2D.
  const Column c = column(ColumnType::NewDecimal, 14 << 8 | 4);
  const ByteVec positive = {0x81, 0x0d, 0xfb, 0x38, 0xd2, 0x04, 0xd2};
  EXPECT_EQ(decode(c, positive, 7), Value{Decimal{"1234567890.1234"}});
  EXPECT_EQ(decode(c, {0x7e, 0xf2, 0x04, 0xc7, 0x2d, 0xfb, 0x2d}, 7),
            Value{Decimal{"-1234567890.1234"}});
  expect_prefixes_need_more(c, positive);
  // DECIMAL(5,5): no integer digits; the sign bit is in the fraction's first byte. 0.00001.
  EXPECT_EQ(decode(column(ColumnType::NewDecimal, 5 << 8 | 5), {0x80, 0x00, 0x01}, 3),
            Value{Decimal{"0.00001"}});
  // A group holding more than its digits: 2 digits in one byte, 0xff ^ 0x80 = 127 > 99.
  std::size_t consumed = 0;
  const auto bad =
      decode_column_value(column(ColumnType::NewDecimal, 2 << 8 | 0), ByteVec{0xff}, consumed);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), codec_errc::invalid_value);
  const auto too_wide =
      decode_column_value(column(ColumnType::NewDecimal, 66 << 8 | 0), ByteVec(40, 0x80), consumed);
  ASSERT_FALSE(too_wide.has_value());
  EXPECT_EQ(too_wide.error(), codec_errc::invalid_value);
}

TEST(ColumnValue, Time2WithOneFractionByteBorrowsASecond) {
  // -00:00:01.50 as TIME(2): my_time_packed_to_binary stores int part -2 (0x7ffffe) and the
  // fraction -50 as the byte 0xce.
  const auto v = decode(column(ColumnType::Time2, 2), {0x7f, 0xff, 0xfe, 0xce}, 4);
  ASSERT_TRUE(v.has_value());
  const Time want{true, 0, 0, 0, 1, 500000, 2};
  EXPECT_EQ(*v, Value{want});
  expect_prefixes_need_more(column(ColumnType::Time2, 6), ByteVec(6, 0x80));
  std::size_t consumed = 0;
  const auto fsp7 = decode_column_value(column(ColumnType::Time2, 7), ByteVec(8, 0x80), consumed);
  ASSERT_FALSE(fsp7.has_value());
  EXPECT_EQ(fsp7.error(), codec_errc::invalid_value);
}

TEST(ColumnValue, OldTemporalFormats) {
  // Pre-5.6 TIME: -8:38:59 as the signed 3-byte integer -83859.
  const Time time{true, 0, 8, 38, 59, 0, 0};
  EXPECT_EQ(decode(column(ColumnType::Time), {0x6d, 0xb8, 0xfe}, 3), Value{time});
  // DATETIME 20240229123456 as 8 bytes LE.
  DateTime datetime{DateTime::Type::DateTime, 2024, 2, 29, 12, 34, 56, 0, 0};
  EXPECT_EQ(decode(column(ColumnType::DateTime), {0x80, 0xc5, 0xaa, 0x8b, 0x68, 0x12, 0, 0}, 8),
            Value{datetime});
  // TIMESTAMP 1709210096 as 4 bytes LE.
  datetime.type = DateTime::Type::Timestamp;
  EXPECT_EQ(decode(column(ColumnType::Timestamp), {0xf0, 0x79, 0xe0, 0x65}, 4), Value{datetime});
}

TEST(ColumnValue, EnumAndSetAgainstTheirStrings) {
  Column e = column(ColumnType::Enum, 2);
  e.values = {"a", "b"};
  EXPECT_EQ(decode(e, {0x02, 0x00}, 2), Value{String{"b"}});
  EXPECT_EQ(decode(e, {0x00, 0x00}, 2), Value{String{""}});
  std::size_t consumed = 0;
  auto past = decode_column_value(e, ByteVec{0x03, 0x00}, consumed);
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error(), codec_errc::invalid_value);

  Column s = column(ColumnType::Set, 1);
  s.values = {"x", "y", "z"};
  EXPECT_EQ(decode(s, {0x06}, 1), Value{String{"y,z"}});
  EXPECT_EQ(decode(s, {0x00}, 1), Value{String{""}});
  past = decode_column_value(s, ByteVec{0x08}, consumed);  // a fourth member the set lacks
  ASSERT_FALSE(past.has_value());
  EXPECT_EQ(past.error(), codec_errc::invalid_value);
}

TEST(ColumnValue, StringsAndBlobsCheckTheirLengths) {
  const Column blob = column(ColumnType::Blob, 3, 8);
  EXPECT_EQ(decode(blob, {0x02, 0x00, 0x00, 'h', 'i'}, 5), Value{String{"hi"}});
  expect_prefixes_need_more(blob, {0x02, 0x00, 0x00, 'h', 'i'});
  const Column binary = column(ColumnType::Blob, 1, kBinaryCharset);
  EXPECT_EQ(decode(binary, {0x01, 0xff}, 2), Value{protocol::Binary{"\xff"}});
  // A VARCHAR(300) byte length uses 2 length bytes.
  const Column varchar = column(ColumnType::VarChar, 300, 8);
  EXPECT_EQ(decode(varchar, {0x01, 0x00, 'x'}, 3), Value{String{"x"}});
  std::size_t consumed = 0;
  const auto lie = decode_column_value(varchar, ByteVec{0x2d, 0x01, 'x'}, consumed);  // 301
  ASSERT_FALSE(lie.has_value());
  EXPECT_EQ(lie.error(), codec_errc::invalid_length);
  const auto bad_meta = decode_column_value(column(ColumnType::Blob, 5), ByteVec(9, 0), consumed);
  ASSERT_FALSE(bad_meta.has_value());
  EXPECT_EQ(bad_meta.error(), codec_errc::invalid_value);
}

TEST(ColumnValue, BitAndGeometry) {
  EXPECT_EQ(decode(column(ColumnType::Bit, 10), {0x02, 0x01}, 2), Value{std::uint64_t{0x201}});
  const Column g = column(ColumnType::Geometry, 4, kBinaryCharset);
  EXPECT_EQ(decode(g, {0x05, 0, 0, 0, 0xe6, 0x10, 0, 0, 0x01}, 9),
            (Value{Geometry{4326, std::string("\x01")}}));
  std::size_t consumed = 0;
  const auto short_srid = decode_column_value(g, ByteVec{0x02, 0, 0, 0, 0xe6, 0x10}, consumed);
  ASSERT_FALSE(short_srid.has_value());
  EXPECT_EQ(short_srid.error(), codec_errc::invalid_value);
}

TEST(ColumnValue, MysqlJsonColumn) {
  // Type 245 with 4 length bytes around the binary document `true` (04 01).
  const Column j = column(ColumnType::Json, 4, 63);
  EXPECT_EQ(decode(j, {0x02, 0, 0, 0, 0x04, 0x01}, 6), Value{String{"true"}});
}

TEST(ColumnValue, UnknownTypeIsUnsupported) {
  std::size_t consumed = 0;
  const auto v = decode_column_value(column(ColumnType::Decimal), ByteVec{0x01}, consumed);
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error(), codec_errc::unsupported);
}

}  // namespace
}  // namespace gw::protocol::binlog
