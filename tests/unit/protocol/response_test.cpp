#include "protocol/response.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/constants.h"

namespace gw::protocol::testing {
namespace {

// ---- OK --------------------------------------------------------------------------------------

// Captured, to the mariadb CLI (CLIENT_SESSION_TRACK set):
// the OK ending authentication with a schema: session state "schema changed to gwdb".
const Bytes kOkAfterAuthSchema = {
    0x00, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x07, 0x01, 0x05, 0x04, 0x67, 0x77, 0x64, 0x62,
};
// UPDATE: affected 1 and an info string.
const Bytes kOkUpdate = {
    0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x28, 0x52, 0x6f, 0x77, 0x73, 0x20, 0x6d, 0x61, 0x74,
    0x63, 0x68, 0x65, 0x64, 0x3a, 0x20, 0x31, 0x20, 0x20, 0x43, 0x68, 0x61, 0x6e, 0x67, 0x65, 0x64,
    0x3a, 0x20, 0x31, 0x20, 0x20, 0x57, 0x61, 0x72, 0x6e, 0x69, 0x6e, 0x67, 0x73, 0x3a, 0x20, 0x30,
};
// INSERT: affected 1, no info; MariaDB leaves the empty info out entirely.
const Bytes kOkInsert = {
    0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00,
};
// USE mysql: session state "schema changed to mysql".
const Bytes kOkUseSchema = {
    0x00, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x08,
    0x01, 0x06, 0x05, 0x6d, 0x79, 0x73, 0x71, 0x6c,
};

// Captured, to PyMySQL (no CLIENT_SESSION_TRACK): after authentication, and after
// SET AUTOCOMMIT = 0.
const Bytes kOkPymysqlAfterAuth = {
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
};
const Bytes kOkPymysqlAutocommitOff = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

// Captured, to libmariadb: ALTER TABLE ... ALGORITHM=COPY of 1.5 million rows; the affected
// row count takes a 3-byte lenenc (0xFD).
const Bytes kOkAlterCopy = {
    0x00, 0xfd, 0x60, 0xe3, 0x16, 0x00, 0x02, 0x00, 0x00, 0x00, 0x2c, 0x52, 0x65, 0x63,
    0x6f, 0x72, 0x64, 0x73, 0x3a, 0x20, 0x31, 0x35, 0x30, 0x30, 0x30, 0x30, 0x30, 0x20,
    0x20, 0x44, 0x75, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x65, 0x73, 0x3a, 0x20, 0x30,
    0x20, 0x20, 0x57, 0x61, 0x72, 0x6e, 0x69, 0x6e, 0x67, 0x73, 0x3a, 0x20, 0x30,
};

// Captured, to the hand-written client with CLIENT_DEPRECATE_EOF: 0xFE OKs ending a result set
// (status 0x22: autocommit, no index used), one of two result sets (0x0a: more results), one
// with a warning (SELECT 1/0), and the reply to COM_SET_OPTION.
const Bytes kOkTerminatorRows = {
    0xfe, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00,
};
const Bytes kOkTerminatorMoreResults = {
    0xfe, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00,
};
const Bytes kOkTerminatorWarning = {
    0xfe, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00,
};
const Bytes kOkSetOptionDeprecateEof = {
    0xfe, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
};

OkPacket ok(std::uint64_t affected, std::uint16_t status, std::string info = "",
            std::string session_state = "", std::uint8_t header = 0x00,
            std::uint16_t warnings = 0) {
  OkPacket p;
  p.affected_rows = affected;
  p.status = status;
  p.warnings = warnings;
  p.info = std::move(info);
  p.session_state = std::move(session_state);
  p.header = header;
  return p;
}

struct OkCase {
  const char* name;
  const Bytes& bytes;
  std::uint64_t caps;
  OkPacket value;
  Prefixes prefixes = {};
};

TEST(OkPacket, DecodesAndEncodesEveryVector) {
  const Bytes hand_built_no_41 = {0x00, 0x01, 0x02, 0x02, 0x00};
  OkPacket no_41 = ok(1, 2);
  no_41.last_insert_id = 2;
  const OkCase cases[] = {
      {"captured auth OK with schema state", kOkAfterAuthSchema, kCliCaps,
       ok(0, 0x4002, "", unhex("01050467776462"))},
      {"captured UPDATE",
       kOkUpdate,
       kCliCaps,
       ok(1, 2, "Rows matched: 1  Changed: 1  Warnings: 0"),
       {.complete = {7}}},
      {"captured INSERT", kOkInsert, kCliCaps, ok(1, 2)},
      {"captured USE", kOkUseSchema, kCliCaps, ok(0, 0x4002, "", unhex("0106056d7973716c"))},
      {"captured PyMySQL auth OK", kOkPymysqlAfterAuth, kPymysqlCaps, ok(0, 2)},
      {"captured PyMySQL autocommit off", kOkPymysqlAutocommitOff, kPymysqlCaps, ok(0, 0)},
      {"captured ALTER TABLE",
       kOkAlterCopy,
       kLibmariadbCaps,
       ok(1500000, 2, "Records: 1500000  Duplicates: 0  Warnings: 0"),
       {.complete = {10}}},
      {"captured terminator", kOkTerminatorRows, kDeprecateEofCaps, ok(0, 0x22, "", "", 0xfe)},
      {"captured terminator, more results", kOkTerminatorMoreResults, kDeprecateEofCaps,
       ok(0, 0x0a, "", "", 0xfe)},
      {"captured terminator with a warning", kOkTerminatorWarning, kDeprecateEofCaps,
       ok(0, 2, "", "", 0xfe, 1)},
      {"captured COM_SET_OPTION reply", kOkSetOptionDeprecateEof, kDeprecateEofCaps,
       ok(0, 2, "", "", 0xfe)},
      {"hand-built without CLIENT_PROTOCOL_41",
       hand_built_no_41,
       cap::kTransactions,
       no_41,
       {.complete_from = 5}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::uint64_t caps = c.caps;
    expect_codec(
        c.bytes, c.value, [caps](ByteView b) { return decode_ok(b, caps); },
        [caps](const OkPacket& p, Bytes& out) { encode_ok(p, caps, out); }, c.prefixes);
  }
}

TEST(OkPacket, WithoutSessionTrackingInfoRunsToTheEnd) {
  // The UPDATE reply as a client without CLIENT_SESSION_TRACK would get it.
  const Bytes bytes = cat(Bytes{0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00}, "Rows matched: 1");
  auto decoded = decode_ok(bytes, kPymysqlCaps);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->info, "Rows matched: 1");
}

TEST(OkPacket, RejectsBrokenVectors) {
  expect_error(decode_ok({}, kCliCaps), codec_errc::need_more);
  // 0xFE is an OK only under CLIENT_DEPRECATE_EOF.
  expect_error(decode_ok(kOkTerminatorRows, kCliCaps), codec_errc::unexpected_message);
  expect_error(decode_ok(Bytes{0xff, 0x15, 0x04}, kCliCaps), codec_errc::unexpected_message);
  expect_error(decode_ok(cat(kOkAfterAuthSchema, Bytes{0x00}), kCliCaps),
               codec_errc::trailing_bytes);
  expect_error(decode_ok(Bytes{0x00, 0xfb, 0x00, 0x02, 0x00, 0x00, 0x00}, kCliCaps),
               codec_errc::invalid_value);
  // Session state announced but its length runs past the payload.
  expect_error(
      decode_ok(Bytes{0x00, 0x00, 0x00, 0x02, 0x40, 0x00, 0x00, 0x00, 0x09, 0x01}, kCliCaps),
      codec_errc::need_more);
}

// ---- ERR -------------------------------------------------------------------------------------

// Captured: wrong password (mariadb CLI), unknown database (mariadb CLI), unknown table in the
// command phase (mariadb CLI), COM_PROCESS_KILL of an unknown id (hand-written client), and
// max_connections reached, sent after the greeting (PyMySQL).
const Bytes kErr1045 = {
    0xff, 0x15, 0x04, 0x23, 0x32, 0x38, 0x30, 0x30, 0x30, 0x41, 0x63, 0x63, 0x65, 0x73,
    0x73, 0x20, 0x64, 0x65, 0x6e, 0x69, 0x65, 0x64, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x75,
    0x73, 0x65, 0x72, 0x20, 0x27, 0x67, 0x77, 0x27, 0x40, 0x27, 0x31, 0x32, 0x37, 0x2e,
    0x30, 0x2e, 0x30, 0x2e, 0x31, 0x27, 0x20, 0x28, 0x75, 0x73, 0x69, 0x6e, 0x67, 0x20,
    0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x3a, 0x20, 0x59, 0x45, 0x53, 0x29,
};
const Bytes kErr1049 = {
    0xff, 0x19, 0x04, 0x23, 0x34, 0x32, 0x30, 0x30, 0x30, 0x55, 0x6e, 0x6b,
    0x6e, 0x6f, 0x77, 0x6e, 0x20, 0x64, 0x61, 0x74, 0x61, 0x62, 0x61, 0x73,
    0x65, 0x20, 0x27, 0x6e, 0x6f, 0x73, 0x75, 0x63, 0x68, 0x64, 0x62, 0x27,
};
const Bytes kErr1146 = {
    0xff, 0x7a, 0x04, 0x23, 0x34, 0x32, 0x53, 0x30, 0x32, 0x54, 0x61, 0x62, 0x6c, 0x65,
    0x20, 0x27, 0x67, 0x77, 0x64, 0x62, 0x2e, 0x6e, 0x6f, 0x70, 0x65, 0x27, 0x20, 0x64,
    0x6f, 0x65, 0x73, 0x6e, 0x27, 0x74, 0x20, 0x65, 0x78, 0x69, 0x73, 0x74,
};
const Bytes kErr1094 = {
    0xff, 0x46, 0x04, 0x23, 0x48, 0x59, 0x30, 0x30, 0x30, 0x55, 0x6e, 0x6b,
    0x6e, 0x6f, 0x77, 0x6e, 0x20, 0x74, 0x68, 0x72, 0x65, 0x61, 0x64, 0x20,
    0x69, 0x64, 0x3a, 0x20, 0x39, 0x39, 0x39, 0x39, 0x39, 0x39,
};
const Bytes kErr1040 = {
    0xff, 0x10, 0x04, 0x23, 0x30, 0x38, 0x30, 0x30, 0x34, 0x54, 0x6f, 0x6f, 0x20, 0x6d, 0x61,
    0x6e, 0x79, 0x20, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x73,
};

struct ErrCase {
  const char* name;
  const Bytes& bytes;
  std::uint64_t caps;
  ErrPacket value;
  Prefixes prefixes = {};
};

TEST(ErrPacket, DecodesAndEncodesEveryVector) {
  // Hand-built: an ERR sent before the server knows the client's capabilities.
  const Bytes no_sql_state =
      cat(Bytes{0xff, 0x6a, 0x04}, "Host '10.0.0.7' is not allowed to connect to this server");
  const ErrCase cases[] = {
      {"captured 1045",
       kErr1045,
       kCliCaps,
       {1045, "28000", "Access denied for user 'gw'@'127.0.0.1' (using password: YES)"},
       {.complete_from = 9}},
      {"captured 1049",
       kErr1049,
       kCliCaps,
       {1049, "42000", "Unknown database 'nosuchdb'"},
       {.complete_from = 9}},
      {"captured 1146",
       kErr1146,
       kCliCaps,
       {1146, "42S02", "Table 'gwdb.nope' doesn't exist"},
       {.complete_from = 9}},
      {"captured 1094",
       kErr1094,
       kDeprecateEofCaps,
       {1094, "HY000", "Unknown thread id: 999999"},
       {.complete_from = 9}},
      {"captured 1040",
       kErr1040,
       kPymysqlCaps,
       {1040, "08004", "Too many connections"},
       {.complete_from = 9}},
      {"hand-built without SQL state",
       no_sql_state,
       0,
       {1130, "HY000", "Host '10.0.0.7' is not allowed to connect to this server"},
       {.complete_from = 3}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::uint64_t caps = c.caps;
    expect_codec(
        c.bytes, c.value, [caps](ByteView b) { return decode_err(b, caps); },
        [caps](const ErrPacket& p, Bytes& out) { encode_err(p, caps, out); }, c.prefixes);
  }
}

// ---- Progress reports ------------------------------------------------------------------------

// Captured: to libmariadb with a progress callback, SET SESSION progress_report_time=1, during
// ALTER TABLE big FORCE, ALGORITHM=COPY: stage 1 of 2 at 0.669 %, then stage 2 of 2.
const Bytes kProgressCopy = {
    0xff, 0xff, 0xff, 0x01, 0x01, 0x02, 0x9d, 0x02, 0x00, 0x11, 0x63, 0x6f, 0x70, 0x79,
    0x20, 0x74, 0x6f, 0x20, 0x74, 0x6d, 0x70, 0x20, 0x74, 0x61, 0x62, 0x6c, 0x65,
};
const Bytes kProgressEnablingKeys = {
    0xff, 0xff, 0xff, 0x01, 0x02, 0x02, 0x00, 0x00, 0x00, 0x0d, 0x45, 0x6e,
    0x61, 0x62, 0x6c, 0x69, 0x6e, 0x67, 0x20, 0x6b, 0x65, 0x79, 0x73,
};

TEST(ProgressReport, DecodesAndEncodesEveryVector) {
  expect_codec(kProgressCopy, ProgressReport{1, 2, 669, "copy to tmp table"},
               decode_progress_report, encode_progress_report);
  expect_codec(kProgressEnablingKeys, ProgressReport{2, 2, 0, "Enabling keys"},
               decode_progress_report, encode_progress_report);
  // Later strings are reserved for extensions: ignored.
  auto longer = decode_progress_report(cat(kProgressCopy, Bytes{0x03, 'a', 'b', 'c'}));
  ASSERT_TRUE(longer);
  EXPECT_EQ(longer->info, "copy to tmp table");
}

TEST(ProgressReport, IsToldApartFromErrors) {
  EXPECT_TRUE(is_progress_report(kProgressCopy));
  EXPECT_TRUE(is_progress_report(kProgressEnablingKeys));
  EXPECT_FALSE(is_progress_report(kErr1045));
  EXPECT_FALSE(is_progress_report(Bytes{0xff, 0xff}));
  EXPECT_FALSE(is_progress_report({}));
  expect_error(decode_err(kProgressCopy, kLibmariadbCaps), codec_errc::unexpected_message);
  expect_error(decode_progress_report(kErr1045), codec_errc::unexpected_message);
  expect_error(decode_progress_report(kOkInsert), codec_errc::unexpected_message);
}

// ---- EOF -------------------------------------------------------------------------------------

// Captured: after rows (mariadb CLI; status 0x22), after a cursor was opened by
// COM_STMT_EXECUTE (libmariadb; 0x42 cursor exists), after the cursor's last COM_STMT_FETCH
// (0x82 last row sent), inside a transaction (PyMySQL with autocommit off; 0x01).
const Bytes kEofRows = {
    0xfe, 0x00, 0x00, 0x22, 0x00,
};
const Bytes kEofCursorOpen = {
    0xfe, 0x00, 0x00, 0x42, 0x00,
};
const Bytes kEofLastRowSent = {
    0xfe, 0x00, 0x00, 0x82, 0x00,
};
const Bytes kEofInTransaction = {
    0xfe, 0x00, 0x00, 0x01, 0x00,
};

TEST(EofPacket, DecodesAndEncodesEveryVector) {
  const Bytes hand_built_warnings = {0xfe, 0x03, 0x00, 0x02, 0x00};
  const struct {
    const char* name;
    const Bytes& bytes;
    EofPacket value;
  } cases[] = {
      {"captured after rows", kEofRows, {0, 0x22}},
      {"captured cursor open", kEofCursorOpen, {0, 0x42}},
      {"captured last row sent", kEofLastRowSent, {0, 0x82}},
      {"captured in transaction", kEofInTransaction, {0, 0x01}},
      {"hand-built with warnings", hand_built_warnings, {3, 2}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_eof, encode_eof);
  }
}

TEST(EofPacket, RejectsWhatIsNotAClassicEof) {
  expect_error(decode_eof({}), codec_errc::need_more);
  expect_error(decode_eof(kOkTerminatorRows), codec_errc::trailing_bytes);
  expect_error(decode_eof(Bytes{0xfe, 0, 0, 0, 0, 0, 0, 0, 0}), codec_errc::unexpected_message);
  expect_error(decode_eof(kOkInsert), codec_errc::unexpected_message);
}

TEST(Terminators, AreToldApartFromRowsByLength) {
  const struct {
    const char* name;
    std::uint8_t first;
    std::uint64_t length;
    bool eof, ok_terminator;
  } cases[] = {
      {"classic EOF", 0xfe, 5, true, true},
      {"0xFE OK", 0xfe, 7, true, true},
      {"0xFE OK with info", 0xfe, 9, false, true},
      {"longest 0xFE OK", 0xfe, 0xfffffe, false, true},
      {"row starting with an 8-byte lenenc", 0xfe, 0xffffff + 9, false, false},
      {"packet-sized 0xFE message", 0xfe, 0xffffff, false, false},
      {"OK", 0x00, 7, false, false},
      {"row", 0x01, 2, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(is_eof_packet(c.first, c.length), c.eof);
    EXPECT_EQ(is_ok_terminator(c.first, c.length), c.ok_terminator);
  }
}

}  // namespace
}  // namespace gw::protocol::testing
