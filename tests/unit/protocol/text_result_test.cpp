#include "protocol/text_result.h"

#include <gtest/gtest.h>

#include <initializer_list>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol::testing {
namespace {

// Captured on 2026-12-01 from MariaDB 10.11.19 (tools/sandbox-mariadb) by the integration tests'
// raw client (tests/integration/rawclient.py: CLIENT_PROTOCOL_41, no CLIENT_DEPRECATE_EOF), logged
// in as gw_control, one message payload per string.
Bytes from_hex(std::string_view hex) {
  const std::string bytes = unhex(hex);
  return Bytes(bytes.begin(), bytes.end());
}
std::vector<Bytes> messages(std::initializer_list<std::string_view> hex) {
  std::vector<Bytes> out;
  for (std::string_view one : hex) out.push_back(from_hex(one));
  return out;
}

// SHOW GLOBAL STATUS LIKE 'Aborted_c%': 2 columns, 3 rows.
const std::vector<Bytes> kShowStatus = messages({
    "02",
    "0364656612696e666f726d6174696f6e5f736368656d610e53455353494f4e5f5354415455530e53455353494f4e"
    "5f5354415455530d5661726961626c655f6e616d650d5641524941424c455f4e414d450c2d0000010000fd011000"
    "0000",
    "0364656612696e666f726d6174696f6e5f736368656d610e53455353494f4e5f5354415455530e53455353494f4e"
    "5f5354415455530556616c75650e5641524941424c455f56414c55450c2d0000400000fd0110000000",
    "fe00002200",
    "0f41626f727465645f636c69656e74730130",
    "1041626f727465645f636f6e6e656374730130",
    "1841626f727465645f636f6e6e656374735f707265617574680130",
    "fe00000200",
});
// SHOW GRANTS: 1 column, 1 row (the password hash in it replaced, same length).
const std::vector<Bytes> kShowGrants = messages({
    "01",
    "03646566000000174772616e747320666f722067775f636f6e74726f6c4025000c2d0000100000fd0100270000",
    "fe00000200",
    "744752414e5420434f4e4e454354494f4e2041444d494e204f4e202a2e2a20544f206067775f636f6e74726f6c60"
    "40602560204944454e5449464945442042592050415353574f524420272a30313233343536373839414243444546"
    "30313233343536373839414243444546303132333435363727",
    "fe00000200",
});
// SELECT NULL, '': a NULL and an empty string.
const std::vector<Bytes> kSelectNull = messages({
    "02",
    "03646566000000044e554c4c000c3f0000000000068000000000",
    "0364656600000000000c2d0000000000fd0100270000",
    "fe00000200",
    "fb00",
    "fe00000200",
});
// KILL QUERY 999999: ERR 1094.
const Bytes kErr1094 =
    from_hex("ff4604234859303030556e6b6e6f776e207468726561642069643a20393939393939");
// The OK after a statement without rows (captured, response_test.cpp: PyMySQL's autocommit).
const Bytes kOk = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};

constexpr std::uint64_t kCaps = cap::kLongFlag | cap::kProtocol41 | cap::kTransactions |
                                cap::kSecureConnection | cap::kPluginAuth;

// Feeds every message; all but the last must leave the reply open.
Result<TextResult> decode_all(const std::vector<Bytes>& reply, std::uint64_t caps = kCaps,
                              TextResultLimits limits = {}) {
  TextResultDecoder decoder(caps, limits);
  for (std::size_t i = 0; i < reply.size(); ++i) {
    auto done = decoder.on_message(reply[i]);
    if (!done) return fail(done.error());
    EXPECT_EQ(*done, i + 1 == reply.size()) << "message " << i;
    if (*done) break;
  }
  EXPECT_TRUE(decoder.done());
  return decoder.take();
}

TEST(TextResult, ReadsCapturedResultSets) {
  auto status = decode_all(kShowStatus);
  ASSERT_TRUE(status) << status.error().message();
  EXPECT_TRUE(status->ok);
  const std::vector<TextRow> expected = {
      {"Aborted_clients", "0"}, {"Aborted_connects", "0"}, {"Aborted_connects_preauth", "0"}};
  EXPECT_EQ(status->rows, expected);

  auto grants = decode_all(kShowGrants);
  ASSERT_TRUE(grants);
  ASSERT_EQ(grants->rows.size(), 1u);
  EXPECT_TRUE(grants->rows[0][0]->starts_with("GRANT CONNECTION ADMIN ON *.* TO `gw_control`@`%`"));

  auto nulls = decode_all(kSelectNull);
  ASSERT_TRUE(nulls);
  ASSERT_EQ(nulls->rows.size(), 1u);
  EXPECT_EQ(nulls->rows[0], (TextRow{std::nullopt, std::string()}));
}

TEST(TextResult, ReadsAnOkAndAnErr) {
  auto ok = decode_all({kOk});
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, TextResult{.ok = true});

  auto err = decode_all({kErr1094});
  ASSERT_TRUE(err);
  EXPECT_FALSE(err->ok);
  EXPECT_EQ(err->error_code, 1094);
  EXPECT_EQ(err->sql_state, "HY000");
  EXPECT_EQ(err->error_message, "Unknown thread id: 999999");
  EXPECT_TRUE(err->rows.empty());

  // An ERR in place of a row (a statement killed while its rows stream) ends the reply and
  // drops the rows read so far.
  std::vector<Bytes> cut(kShowStatus.begin(), kShowStatus.begin() + 5);
  cut.push_back(kErr1094);
  auto killed = decode_all(cut);
  ASSERT_TRUE(killed);
  EXPECT_FALSE(killed->ok);
  EXPECT_EQ(killed->error_code, 1094);
  EXPECT_TRUE(killed->rows.empty());
}

// Hand-built: the captured SHOW GRANTS as a CLIENT_DEPRECATE_EOF client receives it (no EOF
// after the definitions), ended by a captured 0xFE OK terminator (response_test.cpp).
TEST(TextResult, ReadsAResultSetUnderDeprecateEof) {
  const std::vector<Bytes> reply = {
      kShowGrants[0], kShowGrants[1], kShowGrants[3], {0xfe, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00}};
  auto result = decode_all(reply, kCaps | cap::kDeprecateEof);
  ASSERT_TRUE(result) << result.error().message();
  EXPECT_TRUE(result->ok);
  EXPECT_EQ(result->rows.size(), 1u);
  // Without the capability the same bytes are wrong: the row is no EOF.
  EXPECT_EQ(decode_all(reply).error(), codec_errc::unexpected_message);
}

TEST(TextResult, EveryStrictPrefixOfAMessageIsNeedMoreAndChangesNothing) {
  for (const auto* reply : {&kShowStatus, &kShowGrants, &kSelectNull}) {
    TextResultDecoder decoder(kCaps);
    for (const Bytes& message : *reply) {
      // A row is a list of string<lenenc>: a prefix that ends between two of them is a shorter
      // row, need_more too, since the column count says how many follow. The EOF's last bytes
      // are the status; a prefix of the column definition past the catalog is accepted (the
      // rest of the definition is not read).
      const bool definition = message.size() > 4 && message[1] == 'd';
      const std::size_t checked = definition ? 4 : message.size();
      for (std::size_t n = 0; n < checked; ++n) {
        auto partial = decoder.on_message(ByteView(message).first(n));
        ASSERT_FALSE(partial) << hex_of(message) << " cut at " << n;
        EXPECT_EQ(partial.error(), codec_errc::need_more) << hex_of(message) << " cut at " << n;
      }
      ASSERT_TRUE(decoder.on_message(message));
    }
    EXPECT_TRUE(decoder.done());
    EXPECT_EQ(decoder.take(), *decode_all(*reply));
  }
}

TEST(TextResult, RefusesMoreRowsOrBytesThanTheLimits) {
  // 3 rows pass a limit of 3 and fail one of 2.
  EXPECT_TRUE(decode_all(kShowStatus, kCaps, {.max_rows = 3}));
  EXPECT_EQ(decode_all(kShowStatus, kCaps, {.max_rows = 2}).error(),
            session_errc::message_too_large);
  // The rows' payloads hold 18 + 19 + 27 bytes.
  EXPECT_TRUE(decode_all(kShowStatus, kCaps, {.max_bytes = 64}));
  EXPECT_EQ(decode_all(kShowStatus, kCaps, {.max_bytes = 63}).error(),
            session_errc::message_too_large);
}

TEST(TextResult, RejectsMalformedReplies) {
  const Bytes& definition = kSelectNull[2];
  const Bytes& eof = kSelectNull[3];
  const struct {
    const char* name;
    std::vector<Bytes> reply;
    std::error_code error;
  } cases[] = {
      {"a row with a field too many",
       {{0x01}, definition, eof, {0x01, 'a', 0x01, 'b'}},
       codec_errc::trailing_bytes},
      {"a row too short for its column count",
       {kSelectNull[0], definition, definition, eof, {0x01, 'a'}},
       codec_errc::need_more},
      {"a string longer than the row",
       {{0x01}, definition, eof, {0x05, 'a'}},
       codec_errc::need_more},
      {"a row length of 2^64",
       {{0x01}, definition, eof, from_hex("feffffffffffffffff")},
       codec_errc::need_more},
      {"an EOF before the definitions end",
       {kSelectNull[0], definition, eof},
       codec_errc::unexpected_message},
      {"a definition whose catalog is not def",
       {{0x01}, from_hex("03616263"), eof},
       codec_errc::invalid_value},
      {"a row instead of the EOF",
       {{0x01}, definition, {0x01, 'a'}},
       codec_errc::unexpected_message},
      {"zero columns", {from_hex("fc0000")}, codec_errc::invalid_value},
      {"cached metadata", {{0x01, 0x00}}, codec_errc::unsupported},
      {"more results", {{0x01}, definition, eof, from_hex("fe00000a00")}, codec_errc::unsupported},
      {"a message after the end", {kOk, kOk}, codec_errc::unexpected_message},
      {"a progress report", {from_hex("ffffff01010100000000")}, codec_errc::unexpected_message},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::uint64_t caps =
        std::string_view(c.name) == "cached metadata" ? kCaps | cap::kMariadbCacheMetadata : kCaps;
    TextResultDecoder decoder(caps);
    Result<bool> last = false;
    for (const Bytes& message : c.reply) {
      last = decoder.on_message(message);
      if (!last) break;
    }
    ASSERT_FALSE(last);
    EXPECT_EQ(last.error(), c.error) << last.error().message();
  }
}

}  // namespace
}  // namespace gw::protocol::testing
