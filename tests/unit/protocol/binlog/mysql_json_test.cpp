// MySQL binary JSON to text. There is no MySQL server on this machine (MariaDB stores JSON as
// text and never sends type 245), so every vector here is hand-built from the format as MySQL
// documents it in sql-common/json_binary.h; each says what it encodes.
#include "protocol/binlog/mysql_json.h"

#include <gtest/gtest.h>

#include <string>
#include <system_error>

#include "core/bytes.h"
#include "core/errors.h"

namespace gw::protocol::binlog {
namespace {

using ByteVec = gw::Bytes;

Result<std::string> text_of(const ByteVec& binary) {
  std::string out;
  auto done = mysql_json_to_text(binary, out);
  if (!done) return fail(done.error());
  return out;
}

struct Case {
  const char* name;
  ByteVec binary;
  const char* text;
};

TEST(MysqlJson, HandBuiltDocuments) {
  const Case cases[] = {
      {"literal true", {0x04, 0x01}, "true"},
      {"literal null", {0x04, 0x00}, "null"},
      {"int16 -2", {0x05, 0xfe, 0xff}, "-2"},
      {"uint16 65535", {0x06, 0xff, 0xff}, "65535"},
      {"int32 min", {0x07, 0x00, 0x00, 0x00, 0x80}, "-2147483648"},
      {"uint64 max",
       {0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
       "18446744073709551615"},
      {"double 2.5", {0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40}, "2.5"},
      {"double 3.0 keeps its point", {0x0b, 0, 0, 0, 0, 0, 0, 0x08, 0x40}, "3.0"},
      {"double 1e100", {0x0b, 0x7d, 0xc3, 0x94, 0x25, 0xad, 0x49, 0xb2, 0x54}, "1e100"},
      {"string utf8mb4", {0x0c, 0x03, 'h', 0xc3, 0xa9}, "\"h\xc3\xa9\""},
      {"string escapes", {0x0c, 0x05, '"', '\\', '\n', 0x01, 'x'}, R"("\"\\\n\u0001x")"},
      // [1, "ab"]: count 2, size 13; entries (int16 inlined 1), (string at offset 10).
      {"small array",
       {0x02, 0x02, 0x00, 0x0d, 0x00, 0x05, 0x01, 0x00, 0x0c, 0x0a, 0x00, 0x02, 'a', 'b'},
       R"([1, "ab"])"},
      // {"k": false, "n": null}: count 2, size 20; keys at 18 and 19; literals inlined.
      {"small object",
       {0x00, 0x02, 0x00, 0x14, 0x00, 0x12, 0x00, 0x01, 0x00, 0x13, 0x00,
        0x01, 0x00, 0x04, 0x02, 0x00, 0x04, 0x00, 0x00, 'k',  'n'},
       R"({"k": false, "n": null})"},
      // [-1] as a large array: count 1, size 13, int32 inlined in a 4-byte entry.
      {"large array",
       {0x03, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0xff},
       "[-1]"},
      // {"a": [true]}: the key at offset 11, the value an array at offset 12 of the object.
      {"nested",
       {0x00, 0x01, 0x00, 0x13, 0x00, 0x0b, 0x00, 0x01, 0x00, 0x02,
        0x0c, 0x00, 'a',  0x01, 0x00, 0x07, 0x00, 0x04, 0x01, 0x00},
       R"({"a": [true]})"},
      {"empty array", {0x02, 0x00, 0x00, 0x04, 0x00}, "[]"},
      // Opaque NEWDECIMAL: precision 14, scale 4, then decimal.c's documented example bytes.
      {"opaque decimal",
       {0x0f, 0xf6, 0x09, 0x0e, 0x04, 0x81, 0x0d, 0xfb, 0x38, 0xd2, 0x04, 0xd2},
       "1234567890.1234"},
      // Opaque DATETIME: the packed 2015-01-15 23:24:25.123456.
      {"opaque datetime",
       {0x0f, 0x0c, 0x08, 0x40, 0xe2, 0x01, 0x19, 0x76, 0x1f, 0x95, 0x19},
       R"("2015-01-15 23:24:25.123456")"},
      // Opaque TIME: the packed -01:02:03.500000.
      {"opaque negative time",
       {0x0f, 0x0b, 0x08, 0xe0, 0x5e, 0xf8, 0x7c, 0xef, 0xff, 0xff, 0xff},
       R"("-01:02:03.500000")"},
      {"opaque other as base64",
       {0x0f, 0xfc, 0x04, 'a', 'b', 'c', 'd'},
       R"("base64:type252:YWJjZA==")"},
      {"empty is null", {}, "null"},
  };
  for (const Case& c : cases) {
    const auto text = text_of(c.binary);
    ASSERT_TRUE(text.has_value()) << c.name << ": " << text.error().message();
    EXPECT_EQ(*text, c.text) << c.name;
  }
}

TEST(MysqlJson, MalformedIsInvalidAndLeavesOutputAlone) {
  const Case cases[] = {
      {"unknown type", {0x0d, 0x00}, ""},
      {"bad literal", {0x04, 0x07}, ""},
      {"short int32", {0x07, 0x00, 0x00}, ""},
      {"size past the end", {0x02, 0x01, 0x00, 0x20, 0x00, 0x04, 0x00, 0x00}, ""},
      {"count past the size", {0x02, 0xff, 0x00, 0x07, 0x00, 0x04, 0x00, 0x00}, ""},
      {"offset past the size", {0x02, 0x01, 0x00, 0x07, 0x00, 0x0c, 0x40, 0x00}, ""},
      {"key past the size",
       {0x00, 0x01, 0x00, 0x0b, 0x00, 0x0a, 0x00, 0x09, 0x00, 0x04, 0x00, 0x00},
       ""},
      {"string length lies", {0x0c, 0x05, 'a'}, ""},
      {"string length of six bytes", {0x0c, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, ""},
      {"opaque decimal with a bad scale", {0x0f, 0xf6, 0x03, 0x02, 0x05, 0x80}, ""},
  };
  for (const Case& c : cases) {
    std::string out = "kept";
    auto done = mysql_json_to_text(c.binary, out);
    ASSERT_FALSE(done.has_value()) << c.name;
    EXPECT_EQ(done.error(), codec_errc::invalid_value) << c.name;
    EXPECT_EQ(out, "kept") << c.name;
  }
}

TEST(MysqlJson, DepthIsLimited) {
  // A chain of arrays built level by level: [ [ [ ... [] ... ] ] ].
  const auto build = [](std::size_t depth) {
    ByteVec inner = {0x00, 0x00, 0x04, 0x00};  // the innermost empty array's body
    for (std::size_t i = 0; i < depth; ++i) {
      const std::size_t size = 7 + inner.size();
      ByteVec level = {0x01,
                       0x00,
                       static_cast<std::uint8_t>(size & 0xff),
                       static_cast<std::uint8_t>(size >> 8),
                       0x02,
                       0x07,
                       0x00};
      level.insert(level.end(), inner.begin(), inner.end());
      inner = std::move(level);
    }
    inner.insert(inner.begin(), 0x02);
    return inner;
  };
  const auto shallow = text_of(build(3));
  ASSERT_TRUE(shallow.has_value());
  EXPECT_EQ(*shallow, "[[[[]]]]");
  EXPECT_TRUE(text_of(build(kMaxJsonDepth - 1)).has_value());
  const auto deep = text_of(build(kMaxJsonDepth + 5));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error(), codec_errc::invalid_value);
}

TEST(MysqlJson, AliasedOffsetsCannotBlowUp) {
  // Each level is an array of 8 entries that all point at the same inner array: 8^depth values
  // from a few hundred bytes. The expansion limit stops it.
  ByteVec inner = {0x00, 0x00, 0x04, 0x00};
  for (int level = 0; level < 12; ++level) {
    const std::size_t header = 4 + 8 * 3;
    const std::size_t size = header + inner.size();
    ByteVec out = {0x08, 0x00, static_cast<std::uint8_t>(size & 0xff),
                   static_cast<std::uint8_t>(size >> 8)};
    for (int i = 0; i < 8; ++i) {
      out.insert(out.end(), {0x02, static_cast<std::uint8_t>(header), 0x00});
    }
    out.insert(out.end(), inner.begin(), inner.end());
    inner = std::move(out);
  }
  inner.insert(inner.begin(), 0x02);
  const auto text = text_of(inner);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), codec_errc::invalid_value);
}

}  // namespace
}  // namespace gw::protocol::binlog
