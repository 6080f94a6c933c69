#include "protocol/resultset.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol::testing {
namespace {

// ---- Column count ----------------------------------------------------------------------------

TEST(ColumnCount, DecodesEveryVector) {
  const struct {
    const char* name;
    Bytes bytes;
    std::uint64_t caps;
    ColumnCount value;
  } cases[] = {
      // Captured: SELECT id, name FROM t to PyMySQL (no cache metadata): 2 columns.
      {"captured PyMySQL", {0x02}, kPymysqlCaps, {2, true}},
      // Captured: the same to the mariadb CLI, which sets MARIADB_CLIENT_CACHE_METADATA: the
      // count is followed by "metadata follows" = 1.
      {"captured mariadb CLI", {0x02, 0x01}, kCliCaps, {2, true}},
      {"captured mariadb CLI, one column", {0x01, 0x01}, kCliCaps, {1, true}},
      // Hand-built: a cached result set (no definitions follow), and 4096 columns (lenenc 0xFC).
      {"hand-built cached metadata", {0x03, 0x00}, kCliCaps, {3, false}},
      {"hand-built 4096 columns", {0xfc, 0x00, 0x10}, kPymysqlCaps, {4096, true}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::uint64_t caps = c.caps;
    expect_codec(
        c.bytes, c.value, [caps](ByteView b) { return decode_column_count_packet(b, caps); },
        [caps](const ColumnCount& v, Bytes& out) { encode_column_count_packet(v, caps, out); });
    auto count = decode_column_count(c.bytes);
    ASSERT_TRUE(count);
    EXPECT_EQ(*count, c.value.count);
  }
}

// Found by tests/fuzz (server_replies): a count of zero written as a 3-byte lenenc passed as a
// result set of no columns, and re-encoded as 0x00, an OK.
TEST(ColumnCount, ZeroColumnsInAnySpellingIsInvalid) {
  expect_error(decode_column_count(Bytes{0xfc, 0x00, 0x00}), codec_errc::invalid_value);
  expect_error(decode_column_count_packet(Bytes{0xfc, 0x00, 0x00}, kPymysqlCaps),
               codec_errc::invalid_value);
  expect_error(decode_column_count(Bytes{0xfc, 0x00}), codec_errc::need_more);
}

TEST(ColumnCount, RejectsOtherResponses) {
  const struct {
    const char* name;
    Bytes bytes;
    codec_errc error;
  } cases[] = {
      {"empty", {}, codec_errc::need_more},
      {"OK", {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}, codec_errc::unexpected_message},
      {"ERR", {0xff, 0x15, 0x04}, codec_errc::unexpected_message},
      {"LOCAL INFILE", {0xfb, 'f'}, codec_errc::unexpected_message},
      {"EOF", {0xfe, 0x00, 0x00, 0x02, 0x00}, codec_errc::unexpected_message},
      {"cut lenenc", {0xfc, 0x00}, codec_errc::need_more},
      {"two bytes after the count", {0x02, 0x01, 0x00}, codec_errc::trailing_bytes},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(decode_column_count(c.bytes), c.error);
  }
  expect_error(decode_column_count_packet(Bytes{0x02, 0x02}, kCliCaps), codec_errc::invalid_value);
  expect_error(decode_column_count_packet(Bytes{0x02}, kCliCaps), codec_errc::need_more);
  expect_error(decode_column_count_packet(Bytes{0x02, 0x01}, kPymysqlCaps),
               codec_errc::trailing_bytes);
}

// ---- COM_STMT_PREPARE_OK ---------------------------------------------------------------------

// Captured, to libmariadb: SELECT id, name FROM t WHERE id > ? AND name <> ?
const Bytes kPrepareOkCursorSelect = {
    0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
};
// Captured, to the hand-written client: select ? + 1, name from t; then do ?
const Bytes kPrepareOkOneParam = {
    0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};
const Bytes kPrepareOkNoColumns = {
    0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
};

TEST(PrepareOk, DecodesAndEncodesEveryVector) {
  // Hand-built after MySQL 8 with CLIENT_OPTIONAL_RESULTSET_METADATA: a 13th byte.
  const Bytes mysql_metadata_follows = {0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00,
                                        0x00, 0x00, 0x00, 0x02, 0x00, 0x01};
  const struct {
    const char* name;
    const Bytes& bytes;
    PrepareOk value;
  } cases[] = {
      {"captured two params, two columns", kPrepareOkCursorSelect, {1, 2, 2, 0, {}}},
      {"captured one param, two columns", kPrepareOkOneParam, {2, 2, 1, 0, {}}},
      {"captured one param, no columns", kPrepareOkNoColumns, {3, 0, 1, 0, {}}},
      {"hand-built MySQL 8 metadata_follows", mysql_metadata_follows, {7, 1, 0, 2, 1}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_prepare_ok, encode_prepare_ok, {.complete = {12}});
  }
}

TEST(PrepareOk, RejectsBrokenVectors) {
  expect_error(decode_prepare_ok({}), codec_errc::need_more);
  expect_error(decode_prepare_ok(Bytes{0xff, 0x28, 0x04, '#', '4', '2', '0', '0', '0'}),
               codec_errc::unexpected_message);
  expect_error(decode_prepare_ok(cat(kPrepareOkCursorSelect, Bytes{0x01, 0x00})),
               codec_errc::trailing_bytes);
}

}  // namespace
}  // namespace gw::protocol::testing
