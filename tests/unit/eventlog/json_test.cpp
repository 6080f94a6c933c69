// Every record type as the exact line the writer produces, and JSON strings from any bytes.

#include "eventlog/json.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "eventlog/json_scan.h"
#include "eventlog/json_string.h"
#include "eventlog/timestamp.h"

namespace gw::eventlog {
namespace {

using namespace std::chrono;
using namespace std::string_literals;

const system_clock::time_point kTs =
    sys_days{2026y / 11 / 24} + 9h + 2min + 8s + microseconds(582'123);

Common common() {
  return {.ts = kTs,
          .session = 12,
          .server_conn_id = 5,
          .client = "127.0.0.1:54321",
          .user = "app",
          .db = "shop",
          .program = "mysql"};
}

constexpr std::string_view kCommon =
    R"("session":12,"server_conn_id":5,"client":"127.0.0.1:54321","user":"app","db":"shop",)"
    R"("program":"mysql")";

std::string head(std::string_view type) {
  return R"({"ts":"2026-11-24T09:02:08.582123Z","type":")" + std::string(type) + "\"," +
         std::string(kCommon);
}

TEST(Timestamp, IsRfc3339UtcWithMicroseconds) {
  EXPECT_EQ(rfc3339(kTs), "2026-11-24T09:02:08.582123Z");
  EXPECT_EQ(rfc3339(system_clock::time_point{}), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(rfc3339(sys_days{2024y / 2 / 29} + 23h + 59min + 59s + microseconds(999'999)),
            "2024-02-29T23:59:59.999999Z");
  // Nanoseconds are cut, not rounded: the record never claims a later time.
  EXPECT_EQ(rfc3339(sys_days{2026y / 1 / 1} + nanoseconds(1'999)), "2026-01-01T00:00:00.000001Z");
}

// The calendar part is cached per second: back and forth between seconds, and before the epoch
// (where the second is floored, the microseconds count up from it), it stays right.
TEST(Timestamp, SecondsComeAndGo) {
  const auto a = sys_days{2026y / 1 / 1} + 5s + microseconds(7);
  const auto b = sys_days{2026y / 1 / 1} + 6s;
  EXPECT_EQ(rfc3339(a), "2026-01-01T00:00:05.000007Z");
  EXPECT_EQ(rfc3339(a + microseconds(1)), "2026-01-01T00:00:05.000008Z");
  EXPECT_EQ(rfc3339(b), "2026-01-01T00:00:06.000000Z");
  EXPECT_EQ(rfc3339(a), "2026-01-01T00:00:05.000007Z");
  EXPECT_EQ(rfc3339(system_clock::time_point{} - microseconds(1)), "1969-12-31T23:59:59.999999Z");
}

TEST(RecordJson, Connect) {
  Common c = common();
  c.server_conn_id = 0;  // not known yet
  c.user = c.db = c.program = "";
  EXPECT_EQ(to_json(ConnectRecord{.common = c, .listener = "127.0.0.1:3307"}),
            R"({"ts":"2026-11-24T09:02:08.582123Z","type":"connect","session":12,)"
            R"("server_conn_id":null,"client":"127.0.0.1:54321","user":"","db":"","program":"",)"
            R"("listener":"127.0.0.1:3307"})");
}

TEST(RecordJson, Auth) {
  const AuthRecord record{.common = common(),
                          .auth_plugin = "mysql_native_password",
                          .ok = true,
                          .attributes = {{"_client_name", "libmariadb"},
                                         {"_client_version", "3.3.8"},
                                         {"program_name", "mysql"}},
                          .capabilities = 0x81aa205,
                          .client_tls = {"TLSv1.3", "TLS_AES_256_GCM_SHA384", "/CN=app-7"},
                          .server_tls = {"TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", ""}};
  EXPECT_EQ(to_json(record),
            head("auth") +
                R"(,"auth_plugin":"mysql_native_password","ok":true,"error_code":0,)"
                R"("error_message":"","attributes":{"_client_name":"libmariadb",)"
                R"("_client_version":"3.3.8","program_name":"mysql"},"capabilities":135963141,)"
                R"("client_tls_version":"TLSv1.3","client_tls_cipher":"TLS_AES_256_GCM_SHA384",)"
                R"("client_cert_subject":"/CN=app-7","server_tls_version":"TLSv1.2",)"
                R"("server_tls_cipher":"ECDHE-RSA-AES256-GCM-SHA384"})");
}

TEST(RecordJson, FailedAuth) {
  const AuthRecord record{.common = common(),
                          .auth_plugin = "mysql_native_password",
                          .ok = false,
                          .error_code = 1045,
                          .error_message =
                              "Access denied for user 'app'@'localhost' (using "
                              "password: YES)"};
  EXPECT_EQ(to_json(record),
            head("auth") + R"(,"auth_plugin":"mysql_native_password","ok":false,"error_code":1045,)"
                           R"j("error_message":"Access denied for user 'app'@'localhost' (using )j"
                           R"j(password: YES)","attributes":{},"capabilities":0,)j"
                           R"("client_tls_version":"","client_tls_cipher":"",)"
                           R"("server_tls_version":"","server_tls_cipher":""})");
}

TEST(RecordJson, ChangeUser) {
  const ChangeUserRecord record{
      .common = common(), .ok = false, .error_code = 1044, .error_message = "denied"};
  EXPECT_EQ(to_json(record),
            head("change_user") + R"(,"ok":false,"error_code":1044,"error_message":"denied"})");
}

TEST(RecordJson, Reset) {
  EXPECT_EQ(to_json(ResetRecord{.common = common()}), head("reset") + "}");
}

TEST(RecordJson, Close) {
  const CloseRecord record{.common = common(),
                           .close_kind = "mid_result",
                           .detail = "",
                           .in_transaction = true,
                           .last_command = "COM_QUERY",
                           .duration_ms = 8123,
                           .commands = 17,
                           .bytes_from_client = 1024,
                           .bytes_to_client = 1 << 20,
                           .upstream_close = "com_quit_eof",
                           .upstream_close_ms = 3,
                           .server_error_code = 0,
                           .client_tls_end = "none"};
  EXPECT_EQ(to_json(record),
            head("close") +
                R"(,"close_kind":"mid_result","detail":"","in_transaction":true,)"
                R"("last_command":"COM_QUERY","duration_ms":8123,"commands":17,)"
                R"("bytes_from_client":1024,"bytes_to_client":1048576,)"
                R"("upstream_close":"com_quit_eof","upstream_close_ms":3,"server_error_code":0,)"
                R"("client_tls_end":"none"})");
}

TEST(RecordJson, CloseWithoutUpstreamTiming) {
  const CloseRecord record{.common = common(),
                           .close_kind = "server_closed",
                           .detail = "server sent ERR 4031",
                           .upstream_close = "server_first",
                           .upstream_close_ms = -1,
                           .server_error_code = 4031};
  EXPECT_EQ(to_json(record),
            head("close") +
                R"(,"close_kind":"server_closed","detail":"server sent ERR 4031",)"
                R"("in_transaction":false,"last_command":"","duration_ms":0,"commands":0,)"
                R"("bytes_from_client":0,"bytes_to_client":0,"upstream_close":"server_first",)"
                R"("upstream_close_ms":null,"server_error_code":4031,"client_tls_end":""})");
}

TEST(RecordJson, CommandOk) {
  CommandRecord record{
      .common = common(), .command = "COM_QUERY", .statement = "INSERT INTO t VALUES (1)"};
  record.result = CommandRecord::Result::Ok;
  record.affected_rows = 1;
  record.last_insert_id = 42;
  record.warnings = 2;
  record.duration_us = 350;
  record.bytes_from_client = 29;
  record.bytes_to_client = 11;
  record.in_transaction = true;
  EXPECT_EQ(to_json(record),
            head("command") +
                R"j(,"command":"COM_QUERY","statement":"INSERT INTO t VALUES (1)",)j"
                R"("statement_truncated":false,"statement_id":null,"result":"ok",)"
                R"("affected_rows":1,"last_insert_id":42,"warnings":2,"duration_us":350,)"
                R"("bytes_from_client":29,"bytes_to_client":11,"in_transaction":true})");
}

TEST(RecordJson, CommandRowsWithStatementIdAndParams) {
  CommandRecord record{.common = common(),
                       .command = "COM_STMT_EXECUTE",
                       .statement = "SELECT * FROM t WHERE id = ?",
                       .statement_id = 3,
                       .params = {"7", "NULL"}};
  record.result = CommandRecord::Result::Rows;
  record.columns = 4;
  record.rows = 1000;
  record.duration_us = 1200;
  EXPECT_EQ(to_json(record),
            head("command") +
                R"(,"command":"COM_STMT_EXECUTE","statement":"SELECT * FROM t WHERE id = ?",)"
                R"("statement_truncated":false,"statement_id":3,"params":["7","NULL"],)"
                R"("result":"rows","columns":4,"rows":1000,"warnings":0,"duration_us":1200,)"
                R"("bytes_from_client":0,"bytes_to_client":0,"in_transaction":false})");
}

TEST(RecordJson, CommandError) {
  CommandRecord record{.common = common(),
                       .command = "COM_QUERY",
                       .statement = "SELEC 1",
                       .statement_truncated = true};
  record.result = CommandRecord::Result::Error;
  record.error_code = 1064;
  record.sql_state = "42000";
  record.error_message = "You have an error in your SQL syntax";
  EXPECT_EQ(to_json(record),
            head("command") +
                R"(,"command":"COM_QUERY","statement":"SELEC 1","statement_truncated":true,)"
                R"("statement_id":null,"result":"error","error_code":1064,"sql_state":"42000",)"
                R"("error_message":"You have an error in your SQL syntax","duration_us":0,)"
                R"("bytes_from_client":0,"bytes_to_client":0,"in_transaction":false})");
}

TEST(RecordJson, Dropped) {
  const DroppedNotice notice{
      .ts = kTs, .count = 1234, .since = kTs - 2s, .until = kTs, .reason = kDroppedQueueFull};
  std::string out;
  append_json(out, notice);
  EXPECT_EQ(out, R"({"ts":"2026-11-24T09:02:08.582123Z","type":"dropped","count":1234,)"
                 R"("since":"2026-11-24T09:02:06.582123Z","until":"2026-11-24T09:02:08.582123Z",)"
                 R"("reason":"queue_full"})");
}

TEST(RecordJson, TypeNames) {
  EXPECT_EQ(type_name(Record{ConnectRecord{}}), "connect");
  EXPECT_EQ(type_name(Record{AuthRecord{}}), "auth");
  EXPECT_EQ(type_name(Record{ChangeUserRecord{}}), "change_user");
  EXPECT_EQ(type_name(Record{ResetRecord{}}), "reset");
  EXPECT_EQ(type_name(Record{CloseRecord{}}), "close");
  EXPECT_EQ(type_name(Record{CommandRecord{}}), "command");
}

TEST(RecordJson, InvalidUtf8AnywhereAddsTheExactBytesInBase64) {
  Common c = common();
  c.user =
      "b\xE9"
      "a";  // Latin-1 é
  CommandRecord record{.common = c, .command = "COM_QUERY", .statement = "SELECT '\xFF'"};
  const std::string json = to_json(record);
  EXPECT_NE(json.find(R"("user":"b)"
                      "\xEF\xBF\xBD"
                      R"(a","user_base64":"Yulh")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("statement":"SELECT ')"
                      "\xEF\xBF\xBD"
                      R"('","statement_base64":"U0VMRUNUICf/Jw==")"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("db_base64"), std::string::npos);
}

TEST(RecordJson, InvalidAttributesAndParamsKeepEveryPairExactly) {
  AuthRecord auth{.common = common(), .attributes = {{"_os", "Linux"}, {"k\xC0", "v"}}};
  EXPECT_NE(to_json(auth).find(R"("attributes_base64":[["X29z","TGludXg="],["a8A=","dg=="]])"),
            std::string::npos)
      << to_json(auth);
  CommandRecord command{.common = common(), .params = {"ok", "\x80"}};
  EXPECT_NE(to_json(command).find(R"("params_base64":["b2s=","gA=="])"), std::string::npos)
      << to_json(command);
}

// --- JSON strings from bytes -------------------------------------------------------------------

std::string json_quoted(std::string_view bytes, bool* well_formed = nullptr) {
  std::string out;
  const bool ok = append_json_string(out, bytes);
  if (well_formed != nullptr) *well_formed = ok;
  return out;
}

TEST(JsonString, EscapesQuotesBackslashesAndEveryControlCharacter) {
  EXPECT_EQ(json_quoted(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(json_quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  const char* const hex = "0123456789abcdef";
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') continue;
    const std::string expected = "\"\\u00"s + hex[c >> 4] + hex[c & 0xF] + "\"";
    EXPECT_EQ(json_quoted(std::string(1, static_cast<char>(c))), expected) << c;
  }
  EXPECT_EQ(json_quoted("a\0b"s), R"("a\u0000b")");
  EXPECT_EQ(json_quoted("\x7F"), "\"\x7F\"");  // DEL is valid JSON as it is
  EXPECT_EQ(json_quoted("/"), R"("/")");
}

TEST(JsonString, CopiesValidUtf8) {
  bool ok = false;
  // 2-, 3- and 4-byte forms, including the edges of each range.
  const std::string text =
      "é€😀\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
      "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF";
  EXPECT_EQ(json_quoted(text, &ok), "\"" + text + "\"");
  EXPECT_TRUE(ok);
  EXPECT_TRUE(is_valid_utf8(text));
}

struct BadUtf8Case {
  const char* name;
  std::string bytes;
  std::string expected;  // between the quotes; R = U+FFFD
};

class BadUtf8 : public ::testing::TestWithParam<BadUtf8Case> {};

TEST_P(BadUtf8, BecomesReplacementCharactersAndIsReported) {
  const auto& c = GetParam();
  std::string expected;
  for (const char ch : c.expected) expected += ch == 'R' ? "\xEF\xBF\xBD"s : std::string(1, ch);
  bool ok = true;
  EXPECT_EQ(json_quoted(c.bytes, &ok), "\"" + expected + "\"");
  EXPECT_FALSE(ok);
  EXPECT_FALSE(is_valid_utf8(c.bytes));
}

// One U+FFFD per maximal subpart (Unicode §3.9, Table 3-8's examples among them).
INSTANTIATE_TEST_SUITE_P(
    JsonString, BadUtf8,
    ::testing::Values(
        BadUtf8Case{"lone_continuation", "a\x80z", "aRz"},
        BadUtf8Case{"two_continuations", "\x80\xBF", "RR"},
        BadUtf8Case{"truncated_2", "a\xC3", "aR"}, BadUtf8Case{"truncated_3", "\xE2\x82z", "Rz"},
        BadUtf8Case{"truncated_4", "\xF0\x9F\x98", "R"},
        BadUtf8Case{"truncated_then_ascii",
                    "\xF0\x9F\x98"
                    "A",
                    "RA"},
        BadUtf8Case{"overlong_c0", "\xC0\xAF", "RR"}, BadUtf8Case{"overlong_c1", "\xC1\xBF", "RR"},
        BadUtf8Case{"overlong_3", "\xE0\x80\xAF", "RRR"},
        BadUtf8Case{"overlong_4", "\xF0\x80\x80\xAF", "RRRR"},
        BadUtf8Case{"surrogate_high", "\xED\xA0\x80", "RRR"},
        BadUtf8Case{"surrogate_low", "\xED\xBF\xBF", "RRR"},
        BadUtf8Case{"above_10ffff", "\xF4\x90\x80\x80", "RRRR"},
        BadUtf8Case{"f5_to_ff", "\xF5\xFE\xFF", "RRR"}, BadUtf8Case{"latin1", "caf\xE9!", "cafR!"},
        BadUtf8Case{"table_3_8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
                    "aRRRbRcRRd"}),
    [](const ::testing::TestParamInfo<BadUtf8Case>& p) { return std::string(p.param.name); });

// Random bytes, biased towards the interesting ones: the output is always valid UTF-8 JSON,
// and valid input reads back exactly.
TEST(JsonString, AnyBytesGiveValidJsonThatReadsBack) {
  std::mt19937 random(20261124);
  const std::string interesting =
      "\"\\\x00\x1F\x7F\x80\xBF\xC0\xC2\xE0\xED\xF0\xF4\xF5\xFF"
      "a"s;
  for (int round = 0; round < 20'000; ++round) {
    std::string bytes(random() % 12, '\0');
    for (char& c : bytes) {
      c = random() % 2 ? interesting[random() % interesting.size()]
                       : static_cast<char>(random() % 256);
    }
    bool well_formed = false;
    const std::string out = json_quoted(bytes, &well_formed);
    ASSERT_TRUE(is_valid_utf8(out)) << round;
    ASSERT_EQ(well_formed, is_valid_utf8(bytes)) << round;
    for (const char c : out) ASSERT_GE(static_cast<unsigned char>(c), 0x20) << round;
    const std::string_view inner = std::string_view(out).substr(1, out.size() - 2);
    if (well_formed) {
      ASSERT_EQ(json_unescape(inner), bytes) << round;
    }
    bool scanned = false;
    ASSERT_TRUE(scan_object("{\"k\":" + out + "}", [&](std::string_view, const JsonValue& v) {
      scanned = v.raw == inner;
      return true;
    }));
    ASSERT_TRUE(scanned) << round;
  }
}

TEST(Base64, MatchesRfc4648TestVectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("\xFF\xFE\x00"s), "//4A");
}

}  // namespace
}  // namespace gw::eventlog
