#include "protocol/commands.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol::testing {
namespace {

// ---- COM_CHANGE_USER -------------------------------------------------------------------------

// Captured: libmariadb's mysql_change_user(m, "gw_ed", "secret", "gwdb") and then
// mysql_change_user(m, "gw", "secret", NULL). The scramble is computed over the connection's
// greeting scramble, so both carry the same 20 bytes.
const Bytes kChangeUserWithSchema = {
    0x11, 0x67, 0x77, 0x5f, 0x65, 0x64, 0x00, 0x14, 0xdf, 0x0f, 0x5e, 0xe3, 0x09, 0xb7, 0x6b, 0xca,
    0x30, 0x9e, 0x37, 0xe1, 0x85, 0x6d, 0xfe, 0xc8, 0x4a, 0x44, 0x11, 0x5b, 0x67, 0x77, 0x64, 0x62,
    0x00, 0x2d, 0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f,
    0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00, 0x7b, 0x03, 0x5f, 0x6f, 0x73, 0x05, 0x4c,
    0x69, 0x6e, 0x75, 0x78, 0x0c, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x6e, 0x61, 0x6d,
    0x65, 0x0a, 0x6c, 0x69, 0x62, 0x6d, 0x61, 0x72, 0x69, 0x61, 0x64, 0x62, 0x04, 0x5f, 0x70, 0x69,
    0x64, 0x04, 0x35, 0x35, 0x34, 0x31, 0x0f, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x76,
    0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x06, 0x33, 0x2e, 0x33, 0x2e, 0x32, 0x30, 0x09, 0x5f, 0x70,
    0x6c, 0x61, 0x74, 0x66, 0x6f, 0x72, 0x6d, 0x06, 0x78, 0x38, 0x36, 0x5f, 0x36, 0x34, 0x06, 0x67,
    0x77, 0x5f, 0x6b, 0x65, 0x79, 0x08, 0x67, 0x77, 0x5f, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x0c, 0x5f,
    0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x09, 0x31, 0x32, 0x37, 0x2e,
    0x30, 0x2e, 0x30, 0x2e, 0x31,
};
const Bytes kChangeUserNoSchema = {
    0x11, 0x67, 0x77, 0x00, 0x14, 0xdf, 0x0f, 0x5e, 0xe3, 0x09, 0xb7, 0x6b, 0xca, 0x30, 0x9e, 0x37,
    0xe1, 0x85, 0x6d, 0xfe, 0xc8, 0x4a, 0x44, 0x11, 0x5b, 0x00, 0x2d, 0x00, 0x6d, 0x79, 0x73, 0x71,
    0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72,
    0x64, 0x00, 0x7b, 0x03, 0x5f, 0x6f, 0x73, 0x05, 0x4c, 0x69, 0x6e, 0x75, 0x78, 0x0c, 0x5f, 0x63,
    0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x6c, 0x69, 0x62, 0x6d, 0x61,
    0x72, 0x69, 0x61, 0x64, 0x62, 0x04, 0x5f, 0x70, 0x69, 0x64, 0x04, 0x35, 0x35, 0x34, 0x31, 0x0f,
    0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x06,
    0x33, 0x2e, 0x33, 0x2e, 0x32, 0x30, 0x09, 0x5f, 0x70, 0x6c, 0x61, 0x74, 0x66, 0x6f, 0x72, 0x6d,
    0x06, 0x78, 0x38, 0x36, 0x5f, 0x36, 0x34, 0x06, 0x67, 0x77, 0x5f, 0x6b, 0x65, 0x79, 0x08, 0x67,
    0x77, 0x5f, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x0c, 0x5f, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x5f,
    0x68, 0x6f, 0x73, 0x74, 0x09, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31,
};

ChangeUser change_user(std::string user, std::string schema, std::string pid) {
  ChangeUser c;
  c.user = std::move(user);
  c.auth_response = unhex("df0f5ee309b76bca309e37e1856dfec84a44115b");
  c.schema = std::move(schema);
  c.charset = 45;
  c.has_charset = true;
  c.auth_plugin = "mysql_native_password";
  c.has_auth_plugin = true;
  c.attributes = {{"_os", "Linux"},
                  {"_client_name", "libmariadb"},
                  {"_pid", std::move(pid)},
                  {"_client_version", "3.3.20"},
                  {"_platform", "x86_64"},
                  {"gw_key", "gw_value"},
                  {"_server_host", "127.0.0.1"}};
  c.has_attributes = true;
  return c;
}

TEST(ChangeUser, DecodesAndEncodesEveryVector) {
  const struct {
    const char* name;
    const Bytes& bytes;
    ChangeUser value;
    Prefixes prefixes;  // after schema / charset / plugin: shorter complete commands
  } cases[] = {
      {"captured with schema",
       kChangeUserWithSchema,
       change_user("gw_ed", "gwdb", "5541"),
       {.complete = {33, 35, 57}}},
      {"captured without schema",
       kChangeUserNoSchema,
       change_user("gw", "", "5541"),
       {.complete = {26, 28, 50}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(
        c.bytes, c.value, [](ByteView b) { return decode_change_user(b, kLibmariadbCaps); },
        [](const ChangeUser& v, Bytes& out) { encode_change_user(v, kLibmariadbCaps, out); },
        c.prefixes);
  }
}

TEST(ChangeUser, RejectsBrokenVectors) {
  expect_error(decode_change_user({}, kLibmariadbCaps), codec_errc::need_more);
  expect_error(decode_change_user(Bytes{0x03, 's'}, kLibmariadbCaps),
               codec_errc::unexpected_message);
  const Bytes overrun =
      cat(Bytes{0x11}, "u", Bytes{0x00, 0x00, 0x00, 0x2d, 0x00}, "p", Bytes{0x00, 0x02, 0x05, 'k'});
  expect_error(decode_change_user(overrun, kLibmariadbCaps), codec_errc::invalid_length);
  expect_error(decode_change_user(cat(kChangeUserNoSchema, Bytes{0x00}), kLibmariadbCaps),
               codec_errc::trailing_bytes);
}

// ---- Prepared statement commands -------------------------------------------------------------

// Captured from libmariadb (a prepared SELECT with a read-only cursor, prefetch 2):
// COM_STMT_SEND_LONG_DATA of "long" for parameter 1,
const Bytes kStmtSendLongData = {
    0x18, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x6c, 0x6f, 0x6e, 0x67,
};
// COM_STMT_EXECUTE with flags 1 (read-only cursor), iterations 1, then the parameters,
const Bytes kStmtExecuteCursor = {
    0x17, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x03, 0x00, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00,
};
// COM_STMT_FETCH of 2 rows, COM_STMT_RESET, COM_STMT_CLOSE.
const Bytes kStmtFetchTwoRows = {
    0x1c, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
};
const Bytes kStmtReset = {
    0x1a, 0x01, 0x00, 0x00, 0x00,
};
const Bytes kStmtClose = {
    0x19, 0x01, 0x00, 0x00, 0x00,
};

TEST(StmtExecute, DecodesTheHeaderAndLeavesTheParameters) {
  const StmtExecute expected{1, 1, 1};
  expect_codec(Bytes(kStmtExecuteCursor.begin(), kStmtExecuteCursor.begin() + 10), expected,
               decode_stmt_execute, encode_stmt_execute);
  auto full = decode_stmt_execute(kStmtExecuteCursor);
  ASSERT_TRUE(full);
  EXPECT_TRUE(*full == expected);
  EXPECT_EQ(hex_of(ByteView(kStmtExecuteCursor).subspan(kStmtExecuteHeaderSize)),
            "00010300fe0000000000");  // NULL bitmap, new-params-bound, types, the int value
  expect_error(decode_stmt_execute(kStmtFetchTwoRows), codec_errc::unexpected_message);
}

TEST(StmtFetch, DecodesAndEncodes) {
  expect_codec(kStmtFetchTwoRows, StmtFetch{1, 2}, decode_stmt_fetch, encode_stmt_fetch);
  expect_error(decode_stmt_fetch(cat(kStmtFetchTwoRows, Bytes{0x00})), codec_errc::trailing_bytes);
  expect_error(decode_stmt_fetch(kStmtClose), codec_errc::unexpected_message);
}

TEST(StatementId, DecodesCloseResetAndLongData) {
  expect_codec(kStmtReset, std::uint32_t{1}, decode_statement_id, [](std::uint32_t id, Bytes& out) {
    encode_statement_command(Command::StmtReset, id, out);
  });
  expect_codec(kStmtClose, std::uint32_t{1}, decode_statement_id, [](std::uint32_t id, Bytes& out) {
    encode_statement_command(Command::StmtClose, id, out);
  });
  auto long_data_id = decode_statement_id(kStmtSendLongData);
  ASSERT_TRUE(long_data_id);
  EXPECT_EQ(*long_data_id, 1u);
  expect_codec(kStmtSendLongData, StmtSendLongData{1, 1, "long"}, decode_stmt_send_long_data,
               encode_stmt_send_long_data, {.complete_from = 7});

  expect_error(decode_statement_id({}), codec_errc::need_more);
  expect_error(decode_statement_id(kStmtExecuteCursor), codec_errc::unexpected_message);
  expect_error(decode_statement_id(cat(kStmtClose, Bytes{0x00})), codec_errc::trailing_bytes);
  expect_error(decode_statement_id(Bytes{0x18, 0x01, 0x00, 0x00, 0x00, 0x01}),
               codec_errc::need_more);
}

// ---- COM_SET_OPTION, COM_PROCESS_KILL --------------------------------------------------------

// Captured from libmariadb: mysql_set_server_option(MYSQL_OPTION_MULTI_STATEMENTS_ON).
const Bytes kSetOptionMultiOn = {
    0x1b,
    0x00,
    0x00,
};
// Written by our hand-written client (the server answered with a 0xFE OK): option 1, off.
const Bytes kSetOptionMultiOff = {
    0x1b,
    0x01,
    0x00,
};

TEST(SetOption, DecodesAndEncodes) {
  expect_codec(kSetOptionMultiOn, kMultiStatementsOn, decode_set_option, encode_set_option);
  expect_codec(kSetOptionMultiOff, kMultiStatementsOff, decode_set_option, encode_set_option);
  expect_error(decode_set_option(Bytes{0x1b, 0x02, 0x00}), codec_errc::invalid_value);
  expect_error(decode_set_option(Bytes{0x1b, 0x00, 0x00, 0x00}), codec_errc::trailing_bytes);
  expect_error(decode_set_option(kStmtClose), codec_errc::unexpected_message);
}

// Written by our hand-written client: COM_PROCESS_KILL 999999; MariaDB answered ERR 1094
// "Unknown thread id: 999999". (libmariadb's mysql_kill() sends "KILL 999999" as a query.)
const Bytes kProcessKill = {
    0x0c, 0x3f, 0x42, 0x0f, 0x00,
};

TEST(ProcessKill, DecodesAndEncodes) {
  expect_codec(kProcessKill, std::uint32_t{999999}, decode_process_kill, encode_process_kill);
  expect_error(decode_process_kill(cat(kProcessKill, Bytes{0x00})), codec_errc::trailing_bytes);
  expect_error(decode_process_kill(kSetOptionMultiOn), codec_errc::unexpected_message);
}

}  // namespace
}  // namespace gw::protocol::testing
