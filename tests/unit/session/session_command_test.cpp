#include <gtest/gtest.h>

#include "protocol/resultset.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;
namespace status = protocol::status;

class SessionCommand : public ::testing::Test {
 protected:
  // Drives a session through the handshake with these client capabilities.
  void authenticate(std::uint64_t extra_capabilities = 0) {
    const std::uint64_t capabilities = cap::kLongFlag | cap::kProtocol41 | cap::kTransactions |
                                       cap::kSecureConnection | cap::kMultiStatements |
                                       cap::kMultiResults | cap::kPsMultiResults |
                                       cap::kPluginAuth | cap::kLocalFiles | extra_capabilities;
    session_.on_upstream_connected();
    session_.on_server_data(packet(0, greeting_payload()));
    session_.on_client_data(packet(1, response_payload(capabilities)));
    session_.on_server_data(packet(2, ok_payload(status::kAutocommit, 0, 0, capabilities)));
    ASSERT_EQ(session_.phase(), Session::Phase::Idle);
    take(session_.to_client());
    take(session_.to_server());
  }
  // Column count, `columns` definitions, and (without DEPRECATE_EOF) their EOF, from `seq`.
  Bytes result_header(std::uint8_t& seq, std::uint8_t columns, bool with_eof = true) {
    Bytes out = packet(seq++, Bytes{columns});
    for (std::uint8_t i = 0; i < columns; ++i) {
      out = concat({out, packet(seq++,
                                "\x03"
                                "def\x00\x00\x00\x01"
                                "a\x00\x0c\x3f\x00")});
    }
    if (with_eof) out = concat({out, packet(seq++, eof_payload())});
    return out;
  }
  Bytes rows(std::uint8_t& seq, int count) {
    Bytes out;
    for (int i = 0; i < count; ++i)
      out = concat({out, packet(seq++,
                                "\x01"
                                "7")});
    return out;
  }

  ScriptedSession session_;
};

TEST_F(SessionCommand, TextResultSetWithClassicEof) {
  authenticate();
  const Bytes query = command(kQuery, "SELECT a FROM t");
  session_.on_client_data(query);
  EXPECT_EQ(take(session_.to_server()), query);
  EXPECT_EQ(session_.phase(), Session::Phase::Command);

  std::uint8_t seq = 1;
  const Bytes answer = concat({result_header(seq, 1), rows(seq, 3), packet(seq++, eof_payload())});
  // Byte by byte: the decoder keeps up, and every byte reaches the client in order.
  for (std::uint8_t byte : answer) session_.on_server_data(ByteView(&byte, 1));
  EXPECT_EQ(take(session_.to_client()), answer);
  EXPECT_EQ(session_.phase(), Session::Phase::Idle) << session_.close_detail();
  EXPECT_EQ(session_.exchange().outcome().kind, Outcome::Kind::Rows);
  EXPECT_EQ(session_.exchange().outcome().rows, 3u);
}

TEST_F(SessionCommand, TextResultSetWithDeprecateEof) {
  authenticate(cap::kDeprecateEof);
  session_.on_client_data(command(kQuery, "SELECT a FROM t"));
  std::uint8_t seq = 1;
  const Bytes answer =
      concat({result_header(seq, 2, false), rows(seq, 2),
              packet(seq++, ok_payload(status::kAutocommit, 0, protocol::kEofHeader,
                                       cap::kProtocol41 | cap::kDeprecateEof))});
  session_.on_server_data(answer);
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().rows, 2u);
}

TEST_F(SessionCommand, MultiResultsStayInFlightUntilTheLastResult) {
  authenticate();
  session_.on_client_data(command(kQuery, "CALL p()"));
  std::uint8_t seq = 1;
  session_.on_server_data(concat({result_header(seq, 1), rows(seq, 1),
                                  packet(seq++, eof_payload(status::kMoreResultsExist))}));
  EXPECT_EQ(session_.phase(), Session::Phase::Command);
  session_.on_server_data(concat({result_header(seq, 1), rows(seq, 2),
                                  packet(seq++, eof_payload(status::kMoreResultsExist))}));
  EXPECT_EQ(session_.phase(), Session::Phase::Command);
  session_.on_server_data(packet(seq++, ok_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().rows, 3u);
}

TEST_F(SessionCommand, ErrorEndsAResultSetMidway) {
  authenticate();
  session_.on_client_data(command(kQuery, "SELECT SLEEP(10)"));
  std::uint8_t seq = 1;
  session_.on_server_data(
      concat({result_header(seq, 1),
              packet(seq++, err_payload(1317, "Query execution was interrupted"))}));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().error_code, 1317);
}

TEST_F(SessionCommand, ProgressReportsDoNotEndTheCommand) {
  authenticate();
  session_.on_client_data(command(kQuery, "ALTER TABLE t FORCE"));
  Bytes progress;
  protocol::encode_progress_report({1, 1, 50000, "copy to tmp table"}, progress);
  session_.on_server_data(packet(1, progress));
  EXPECT_EQ(session_.phase(), Session::Phase::Command);
  session_.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
}

TEST_F(SessionCommand, LoadDataLocalInfileStreamsTheClientsFileThenWaitsForTheServer) {
  authenticate();
  session_.on_client_data(command(kQuery, "LOAD DATA LOCAL INFILE '/tmp/x' INTO TABLE t"));
  take(session_.to_server());
  session_.on_server_data(packet(1, "\xfb/tmp/x"));
  EXPECT_EQ(session_.exchange().turn(), Turn::Client);
  const Bytes file = concat({packet(2, "1\n2\n"), packet(3, "3\n"), packet(4, "")});
  session_.on_client_data(file);
  EXPECT_EQ(take(session_.to_server()), file);
  EXPECT_EQ(session_.exchange().turn(), Turn::Server);
  session_.on_server_data(packet(5, ok_payload(status::kAutocommit, 3)));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().affected_rows, 3u);
}

TEST_F(SessionCommand, PrepareWithParametersAndColumns) {
  authenticate();
  session_.on_client_data(command(static_cast<std::uint8_t>(Command::StmtPrepare), "SELECT ?, ?"));
  Bytes prepare_ok;
  protocol::PrepareOk prepared;
  prepared.statement_id = 7;
  prepared.columns = 1;
  prepared.params = 2;
  protocol::encode_prepare_ok(prepared, prepare_ok);
  std::uint8_t seq = 1;
  Bytes answer = packet(seq++, prepare_ok);
  for (int i = 0; i < 2; ++i)
    answer = concat({answer, packet(seq++,
                                    "\x03"
                                    "def")});
  answer = concat({answer, packet(seq++, eof_payload()),
                   packet(seq++,
                          "\x03"
                          "def"),
                   packet(seq++, eof_payload())});
  session_.on_server_data(ByteView(answer).first(answer.size() - 1));
  EXPECT_EQ(session_.phase(), Session::Phase::Command);
  session_.on_server_data(ByteView(answer).last(1));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
}

TEST_F(SessionCommand, CursorOpenedByExecuteEndsAfterTheColumnsThenFetchReturnsRows) {
  authenticate();
  Bytes execute{static_cast<std::uint8_t>(Command::StmtExecute), 7, 0, 0, 0, 0x01, 1, 0, 0, 0};
  session_.on_client_data(packet(0, execute));
  std::uint8_t seq = 1;
  Bytes header = packet(seq++, Bytes{1});
  header = concat({header,
                   packet(seq++,
                          "\x03"
                          "def"),
                   packet(seq++, eof_payload(status::kAutocommit | status::kCursorExists))});
  session_.on_server_data(header);
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);

  Bytes fetch{static_cast<std::uint8_t>(Command::StmtFetch), 7, 0, 0, 0, 2, 0, 0, 0};
  session_.on_client_data(packet(0, fetch));
  seq = 1;
  session_.on_server_data(
      concat({packet(seq++, Bytes{0x00, 0x00, 0x05}), packet(seq++, Bytes{0x00, 0x00, 0x06}),
              packet(seq++, eof_payload(status::kLastRowSent))}));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().rows, 2u);
}

TEST_F(SessionCommand, CommandsWithoutReplyLeaveTheSessionIdle) {
  authenticate();
  session_.on_client_data(
      packet(0, Bytes{static_cast<std::uint8_t>(Command::StmtClose), 7, 0, 0, 0}));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_FALSE(session_.to_server().empty());
}

TEST_F(SessionCommand, PipelinedCommandWaitsForTheFirstResponse) {
  authenticate();
  const Bytes first = command(kQuery, "SELECT 1");
  const Bytes second = command(static_cast<std::uint8_t>(Command::Ping));
  session_.on_client_data(concat({first, second}));
  EXPECT_EQ(take(session_.to_server()), first);
  EXPECT_TRUE(session_.client_backlogged());
  session_.on_server_data(packet(1, ok_payload()));
  EXPECT_EQ(take(session_.to_server()), second);
  EXPECT_FALSE(session_.client_backlogged());
  session_.on_server_data(packet(1, ok_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
}

TEST_F(SessionCommand, SetOptionIsAnsweredWithAnEof) {
  authenticate();
  session_.on_client_data(packet(0, Bytes{static_cast<std::uint8_t>(Command::SetOption), 0, 0}));
  session_.on_server_data(packet(1, eof_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle) << session_.close_detail();
}

TEST_F(SessionCommand, SetOptionUnderDeprecateEofIsAnsweredWithAnOkTerminator) {
  authenticate(cap::kDeprecateEof);
  session_.on_client_data(packet(0, Bytes{static_cast<std::uint8_t>(Command::SetOption), 0, 0}));
  // As captured from MariaDB 10.11: fe 00 00 02 00 00 00.
  session_.on_server_data(packet(1, Bytes{0xfe, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle) << session_.close_detail();
}

TEST_F(SessionCommand, TransactionStateFollowsTheStatusFlags) {
  authenticate();
  session_.on_client_data(command(kQuery, "BEGIN"));
  session_.on_server_data(packet(1, ok_payload(status::kAutocommit | status::kInTrans)));
  EXPECT_TRUE(session_.in_transaction());
  session_.on_client_data(command(kQuery, "COMMIT"));
  session_.on_server_data(packet(1, ok_payload(status::kAutocommit)));
  EXPECT_FALSE(session_.in_transaction());
}

TEST_F(SessionCommand, InitDbChangesTheSchemaOnlyWhenTheServerAgrees) {
  authenticate();
  session_.on_client_data(command(static_cast<std::uint8_t>(Command::InitDb), "nope"));
  session_.on_server_data(packet(1, err_payload(1049, "Unknown database 'nope'")));
  EXPECT_EQ(session_.info().schema, "");
  session_.on_client_data(command(static_cast<std::uint8_t>(Command::InitDb), "shop"));
  session_.on_server_data(packet(1, ok_payload()));
  EXPECT_EQ(session_.info().schema, "shop");
}

TEST_F(SessionCommand, ReplyToAMultiPacketCommandContinuesItsSequence) {
  authenticate();
  // A 17 MiB INSERT travels as packets 0 and 1; the server's OK is packet 2.
  Bytes statement(17 * kMiB, 'x');
  statement[0] = kQuery;
  session_.on_client_data(packet(0, statement));
  EXPECT_EQ(session_.to_server().size(), statement.size() + 8);
  session_.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle) << session_.close_detail();
}

TEST_F(SessionCommand, LargeRowStreamsThroughWithoutBeingKept) {
  authenticate();
  session_.on_client_data(command(kQuery, "SELECT blob_col FROM t"));
  std::uint8_t seq = 1;
  session_.on_server_data(result_header(seq, 1));
  take(session_.to_client());
  // A 20 MiB row: two packets (0xFFFFFF + rest), fed in 64 KiB chunks.
  Bytes row_payload(20 * kMiB, 'z');
  row_payload[0] = 0xfd;  // lenenc length prefix, value irrelevant to the tracker
  const Bytes row = packet(seq, row_payload);
  seq = static_cast<std::uint8_t>(seq + 2);
  std::size_t forwarded = 0;
  for (std::size_t offset = 0; offset < row.size(); offset += 65536) {
    const std::size_t n = std::min<std::size_t>(65536, row.size() - offset);
    session_.on_server_data(ByteView(row).subspan(offset, n));
    forwarded += take(session_.to_client()).size();
    EXPECT_EQ(forwarded, offset + n);  // streamed: everything read is already on its way
  }
  session_.on_server_data(packet(seq++, eof_payload()));
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  EXPECT_EQ(session_.exchange().outcome().rows, 1u);
}

}  // namespace
}  // namespace gw::session
