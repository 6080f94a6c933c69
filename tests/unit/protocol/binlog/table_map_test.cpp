// TABLE_MAP decoding against bodies captured from MariaDB 10.11 (captured_rows.h), the optional
// metadata checked column by column, and hand-built variations for the failure paths.
#include "protocol/binlog/table_map.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "captured_rows.h"
#include "core/bytes.h"
#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

using ByteVec = gw::Bytes;

using testing::kPostHeaderLength;

template <std::size_t N>
ByteVec bytes_of(const std::uint8_t (&array)[N]) {
  return ByteVec(array, array + N);
}

TableMap decoded(ByteView body) {
  auto table = decode_table_map(body, kPostHeaderLength);
  EXPECT_TRUE(table.has_value()) << table.error().message();
  return table.value_or(TableMap{});
}

std::vector<std::string> names_of(const TableMap& table) {
  std::vector<std::string> out;
  out.reserve(table.columns.size());
  for (const Column& c : table.columns) out.push_back(c.name);
  return out;
}

TEST(TableMap, IntsNamesSignednessAndMeta) {
  const TableMap t = decoded(testing::kIntsTableMap);
  EXPECT_EQ(t.table_id, 18u);
  EXPECT_EQ(t.flags, 1u);
  EXPECT_EQ(t.db, "cap");
  EXPECT_EQ(t.table, "ints");
  EXPECT_TRUE(t.has_names);
  EXPECT_EQ(names_of(t), (std::vector<std::string>{"id", "t", "tu", "s", "su", "m", "mu", "i", "iu",
                                                   "b", "bu", "y", "bt", "f", "fu", "d", "dc"}));
  // SIGNEDNESS counts YEAR (unsigned) but not BIT: measured, bt stays signed-less.
  const std::vector<bool> is_unsigned = {false, false, true, false, true, false,
                                         true,  false, true, false, true, true,
                                         false, false, true, false, true};
  ASSERT_EQ(t.columns.size(), is_unsigned.size());
  for (std::size_t i = 0; i < is_unsigned.size(); ++i) {
    EXPECT_EQ(t.columns[i].is_unsigned, is_unsigned[i]) << t.columns[i].name;
  }
  EXPECT_EQ(t.columns[4].type, ColumnType::Short);
  EXPECT_EQ(t.columns[5].type, ColumnType::Int24);
  EXPECT_EQ(t.columns[11].type, ColumnType::Year);
  EXPECT_EQ(t.columns[12].type, ColumnType::Bit);
  EXPECT_EQ(t.columns[12].meta, 8u);
  EXPECT_EQ(t.columns[13].meta, 4u);  // FLOAT pack length
  EXPECT_EQ(t.columns[15].meta, 8u);  // DOUBLE
  EXPECT_EQ(t.columns[16].type, ColumnType::NewDecimal);
  EXPECT_EQ(t.columns[16].meta, (10u << 8) | 2u);
  EXPECT_FALSE(t.columns[0].nullable);
  EXPECT_TRUE(t.columns[1].nullable);
  EXPECT_EQ(t.primary_key, (std::vector<std::uint32_t>{0}));
  EXPECT_TRUE(t.columns[0].in_primary_key);
  EXPECT_FALSE(t.columns[1].in_primary_key);
}

TEST(TableMap, StringsCharsetsEnumSetAndCharLengths) {
  const TableMap t = decoded(testing::kStrsTableMap);
  struct Want {
    const char* name;
    ColumnType type;
    std::uint16_t meta;
    std::uint32_t charset;
  };
  const Want want[] = {
      {"id", ColumnType::Long, 0, 0},
      {"c4", ColumnType::String, 16, 45},  // CHAR(4) utf8mb4: 16 bytes
      {"cl", ColumnType::String, 10, 8},
      {"cb", ColumnType::String, 4, 63},
      {"v", ColumnType::VarChar, 80, 45},
      {"vl", ColumnType::VarChar, 300, 8},
      {"vb", ColumnType::VarChar, 10, 63},
      {"c255", ColumnType::String, 1020, 45},  // the length > 255 folded into the type byte
      {"tx", ColumnType::Blob, 2, 45},
      {"bl", ColumnType::Blob, 2, 63},
      {"tb", ColumnType::Blob, 1, 63},
      {"mt", ColumnType::Blob, 3, 8},
      {"lb", ColumnType::Blob, 4, 63},
      {"e", ColumnType::Enum, 1, 45},  // from ENUM_AND_SET_COLUMN_CHARSET
      {"st", ColumnType::Set, 1, 8},
      {"bit1", ColumnType::Bit, 1, 0},
      {"bit64", ColumnType::Bit, 64, 0},
      {"bit10", ColumnType::Bit, 10, 0},
      {"js", ColumnType::Blob, 4, 46},  // MariaDB JSON: LONGTEXT utf8mb4_bin
  };
  ASSERT_EQ(t.columns.size(), std::size(want));
  for (std::size_t i = 0; i < std::size(want); ++i) {
    const Column& c = t.columns[i];
    EXPECT_EQ(c.name, want[i].name);
    EXPECT_EQ(c.type, want[i].type) << want[i].name;
    EXPECT_EQ(c.meta, want[i].meta) << want[i].name;
    EXPECT_EQ(c.charset, want[i].charset) << want[i].name;
  }
  EXPECT_EQ(t.columns[13].values, (std::vector<std::string>{"a", "bb", "ccc"}));
  EXPECT_EQ(t.columns[14].values, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(t.columns[1].values.empty());
}

TEST(TableMap, MixedTableListsApplyToTheirKindInOrder) {
  const TableMap t = decoded(testing::kMixedTableMap);
  ASSERT_EQ(t.columns.size(), 13u);
  const auto col = [&](std::size_t i) -> const Column& { return t.columns[i]; };
  // Signedness over a, y, c, d, dd, k (BIT b skipped): 1 1 1 0 1 0.
  EXPECT_TRUE(col(0).is_unsigned);
  EXPECT_TRUE(col(1).is_unsigned);
  EXPECT_FALSE(col(2).is_unsigned);
  EXPECT_TRUE(col(3).is_unsigned);
  EXPECT_FALSE(col(6).is_unsigned);
  EXPECT_TRUE(col(8).is_unsigned);
  EXPECT_FALSE(col(11).is_unsigned);
  // Charsets over v, t, ch and g (GEOMETRY counts as a character column).
  EXPECT_EQ(col(4).charset, 45u);
  EXPECT_EQ(col(7).charset, 63u);
  EXPECT_EQ(col(9).charset, 8u);
  EXPECT_EQ(col(12).charset, 63u);
  EXPECT_EQ(col(12).type, ColumnType::Geometry);
  EXPECT_EQ(col(12).geometry_type, 0u);
  // ENUM e and SET s have their own list, in order: latin1 then utf8mb4.
  EXPECT_EQ(col(5).type, ColumnType::Enum);
  EXPECT_EQ(col(5).charset, 8u);
  EXPECT_EQ(col(10).type, ColumnType::Set);
  EXPECT_EQ(col(10).charset, 45u);
  EXPECT_EQ(col(5).values, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(col(10).values, (std::vector<std::string>{"m", "n"}));
  EXPECT_EQ(col(2).meta, 3u);              // BIT(3)
  EXPECT_EQ(col(8).meta, (4u << 8) | 1u);  // DECIMAL(4,1)
  EXPECT_EQ(col(9).meta, 3u);              // CHAR(3) latin1
  // PRIMARY KEY (k, v(2)): PRIMARY_KEY_WITH_PREFIX, in key order.
  EXPECT_EQ(t.primary_key, (std::vector<std::uint32_t>{11, 4}));
  EXPECT_TRUE(col(11).in_primary_key);
  EXPECT_TRUE(col(4).in_primary_key);
  EXPECT_FALSE(col(0).in_primary_key);
}

TEST(TableMap, MiscGeometryInet6Uuid) {
  const TableMap t = decoded(testing::kMiscTableMap);
  ASSERT_EQ(t.columns.size(), 7u);
  EXPECT_EQ(t.columns[1].type, ColumnType::Geometry);
  EXPECT_EQ(t.columns[1].meta, 4u);
  EXPECT_EQ(t.columns[1].geometry_type, 0u);  // GEOMETRY
  EXPECT_EQ(t.columns[2].geometry_type, 1u);  // POINT
  // INET6, UUID and INET4 are binary CHARs on the wire: nothing tells them from BINARY(n).
  for (std::size_t i : {3u, 4u, 6u}) {
    EXPECT_EQ(t.columns[i].type, ColumnType::String) << i;
    EXPECT_EQ(t.columns[i].charset, kBinaryCharset) << i;
  }
  EXPECT_EQ(t.columns[3].meta, 16u);
  EXPECT_EQ(t.columns[4].meta, 16u);
  EXPECT_EQ(t.columns[6].meta, 4u);
  EXPECT_FALSE(t.columns[5].nullable);
}

TEST(TableMap, MinimalMetadataHasNoNames) {
  const TableMap t = decoded(testing::kMiniTableMap);
  EXPECT_FALSE(t.has_names);
  ASSERT_EQ(t.columns.size(), 4u);
  for (const Column& c : t.columns) EXPECT_TRUE(c.name.empty());
  EXPECT_TRUE(t.columns[1].is_unsigned);
  EXPECT_EQ(t.columns[2].charset, 8u);  // DEFAULT_CHARSET
  EXPECT_EQ(t.columns[3].type, ColumnType::Enum);
  EXPECT_TRUE(t.columns[3].values.empty());
  EXPECT_TRUE(t.primary_key.empty());
}

TEST(TableMap, WithoutOptionalMetadata) {
  // kMiniTableMap ends in SIGNEDNESS (01 01 40) and DEFAULT_CHARSET (02 01 08): cut them off.
  const ByteVec body = bytes_of(testing::kMiniTableMap);
  const TableMap none = decoded(ByteView(body).first(body.size() - 6));
  EXPECT_FALSE(none.columns[1].is_unsigned);
  EXPECT_EQ(none.columns[2].charset, 0u);
  const TableMap signedness = decoded(ByteView(body).first(body.size() - 3));
  EXPECT_TRUE(signedness.columns[1].is_unsigned);
  EXPECT_EQ(signedness.columns[2].charset, 0u);
}

TEST(TableMap, UnknownTlvIsSkipped) {
  ByteVec body = bytes_of(testing::kMiniTableMap);
  body.insert(body.end() - 6, {0xc8, 0x03, 0xaa, 0xbb, 0xcc});  // type 200, three bytes
  const TableMap t = decoded(body);
  EXPECT_TRUE(t.columns[1].is_unsigned);
  EXPECT_EQ(t.columns[2].charset, 8u);
}

TEST(TableMap, DefaultCharsetPairsIndexTheCharacterColumns) {
  // Hand-built on kMiniTableMap: DEFAULT_CHARSET 8 with the pair (character column 0 -> 45).
  // Column 0 among character columns is `v` (the third column), not column 0 of the table.
  ByteVec body = bytes_of(testing::kMiniTableMap);
  body.erase(body.end() - 3, body.end());
  body.insert(body.end(), {0x02, 0x03, 0x08, 0x00, 0x2d});
  const TableMap t = decoded(body);
  EXPECT_EQ(t.columns[2].charset, 45u);
  EXPECT_EQ(t.columns[0].charset, 0u);
  // An index past the character columns is invalid.
  body.back() = 0x2d;
  body[body.size() - 2] = 0x01;
  const auto bad = decode_table_map(body, kPostHeaderLength);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error(), codec_errc::invalid_value);
}

TEST(TableMap, EveryStrictPrefixFailsOrIsAShorterMap) {
  for (ByteView full : {ByteView(testing::kIntsTableMap), ByteView(testing::kStrsTableMap),
                        ByteView(testing::kMixedTableMap), ByteView(testing::kMiscTableMap)}) {
    // The fixed part (up to the nullable bitmap) must never decode from a prefix.
    const TableMap whole = decoded(full);
    const std::size_t names = 4 + whole.db.size() + whole.table.size();  // lengths and NULs
    for (std::size_t n = 0; n < full.size(); ++n) {
      const auto t = decode_table_map(full.first(n), kPostHeaderLength);
      if (t) {
        EXPECT_GT(n, 8 + names + whole.columns.size()) << n;
        EXPECT_EQ(t->columns.size(), whole.columns.size()) << n;
        continue;
      }
      const auto e = t.error();
      EXPECT_TRUE(e == codec_errc::need_more || e == codec_errc::invalid_value ||
                  e == codec_errc::invalid_length)
          << n << ": " << e.message();
    }
  }
}

TEST(TableMap, CountsThatLie) {
  const ByteVec body = bytes_of(testing::kMiniTableMap);
  // Column count at offset 8 + 1 + 3 + 1 + 1 + 4 + 1 = 19 (db "cap", table "mini").
  ASSERT_EQ(body[19], 4);
  ByteVec huge_columns(body.begin(), body.begin() + 19);
  huge_columns.insert(huge_columns.end(), {0xfd, 0xff, 0xff, 0xff, 0x03});
  auto t = decode_table_map(huge_columns, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::need_more);

  // The metadata block length (after the 4 types) claims more than there is.
  ByteVec long_meta = body;
  long_meta[24] = 0xfa;
  t = decode_table_map(long_meta, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::need_more);

  // A metadata block with a byte the types do not use.
  ByteVec extra_meta(body.begin(), body.begin() + 24);
  extra_meta.push_back(5);
  extra_meta.insert(extra_meta.end(), {0x0a, 0x00, 0xf7, 0x01, 0x99, 0x0e});
  t = decode_table_map(extra_meta, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::invalid_value);

  // ENUM_STR_VALUE announcing a million strings in four bytes.
  ByteVec enum_count = body;
  enum_count.insert(enum_count.end(), {0x06, 0x04, 0xfd, 0x40, 0x42, 0x0f});
  t = decode_table_map(enum_count, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::invalid_value);

  // A TLV longer than the body.
  ByteVec tlv = body;
  tlv.insert(tlv.end(), {0x04, 0x20, 0x01});
  t = decode_table_map(tlv, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::invalid_length);

  // A primary key column past the table.
  ByteVec pk = body;
  pk.insert(pk.end(), {0x08, 0x01, 0x09});
  t = decode_table_map(pk, kPostHeaderLength);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::invalid_value);
}

TEST(TableMap, PreFiveOneFormatIsUnsupported) {
  const auto t = decode_table_map(testing::kMiniTableMap, 6);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), codec_errc::unsupported);
}

}  // namespace
}  // namespace gw::protocol::binlog
