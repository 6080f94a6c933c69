#include <gtest/gtest.h>

#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;

class SessionClose : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::uint64_t capabilities = cap::kProtocol41 | cap::kTransactions |
                                       cap::kSecureConnection | cap::kPluginAuth |
                                       cap::kMultiResults | cap::kLocalFiles;
    session_.on_upstream_connected();
    session_.on_server_data(packet(0, greeting_payload()));
    session_.on_client_data(packet(1, response_payload(capabilities)));
    session_.on_server_data(packet(2, ok_payload()));
    ASSERT_EQ(session_.phase(), Session::Phase::Idle);
    take(session_.to_client());
    take(session_.to_server());
  }
  // A command answered: the session is no longer new to the drain (session.h).
  void answer_one_command() {
    session_.on_client_data(command(kQuery, "SELECT 1"));
    session_.on_server_data(packet(1, ok_payload()));
    take(session_.to_client());
    take(session_.to_server());
  }
  // The reply the client got, decoded as an ERR packet.
  protocol::ErrPacket client_error() {
    const Bytes sent = take(session_.to_client());
    EXPECT_GE(sent.size(), 4u);
    auto err = protocol::decode_err(ByteView(sent).subspan(4), session_.info().capabilities);
    EXPECT_TRUE(err);
    return err.value_or(protocol::ErrPacket{});
  }

  ScriptedSession session_;
};

TEST_F(SessionClose, ComQuitIsForwardedAndTheSessionEndsWhenTheServerCloses) {
  session_.on_client_data(kComQuit);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.phase(), Session::Phase::Quitting);
  EXPECT_FALSE(session_.close_server());  // the server closes first, as the protocol wants
  session_.on_server_eof();
  EXPECT_EQ(session_.close_reason(), CloseReason::ClientQuit);
  EXPECT_TRUE(session_.close_client());
  EXPECT_TRUE(session_.close_server());
}

TEST_F(SessionClose, IdleClientLeavingWithoutQuitGetsAQuitSentForIt) {
  session_.on_client_eof();
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.phase(), Session::Phase::Quitting);
  EXPECT_FALSE(session_.close_server());
  session_.on_server_eof();
  EXPECT_EQ(session_.close_reason(), CloseReason::FinWithoutQuit);
  EXPECT_EQ(session_.upstream_end(), UpstreamEnd::ComQuitEof);
}

TEST_F(SessionClose, IdleClientResetIsRecordedAsRst) {
  session_.on_client_eof(ClientEnd::Reset);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::Rst);
  EXPECT_FALSE(session_.reset_server());
}

TEST_F(SessionClose, ServerThatNeverClosesAfterQuitIsCutByTheTimeout) {
  session_.on_client_eof();
  EXPECT_TRUE(session_.ending_is_bounded());
  session_.on_close_timeout();
  EXPECT_TRUE(session_.close_server());
  EXPECT_EQ(session_.upstream_end(), UpstreamEnd::Timeout);
  EXPECT_EQ(session_.close_reason(), CloseReason::FinWithoutQuit);
}

TEST_F(SessionClose, ClientLeavingMidResultLetsTheResultEndThenQuits) {
  session_.on_client_data(command(kQuery, "SELECT * FROM big"));
  take(session_.to_server());
  session_.on_server_data(concat({one_column_header(), packet(4,
                                                              "\x01"
                                                              "a")}));
  session_.on_client_eof();
  EXPECT_TRUE(session_.to_server().empty());  // the result is still streaming
  session_.on_server_data(concat({packet(5,
                                         "\x01"
                                         "b"),
                                  packet(6, eof_payload())}));
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::MidResult);
  EXPECT_NE(session_.close_detail().find("COM_QUERY"), std::string::npos);
  EXPECT_FALSE(session_.take_kill_request());  // in_flight = finish by default
}

TEST_F(SessionClose, ClientLeavingDuringLocalInfileEndsTheFileForIt) {
  session_.on_client_data(command(kQuery, "LOAD DATA LOCAL INFILE 'x' INTO TABLE t"));
  session_.on_server_data(packet(1, "\xfbx"));
  session_.on_client_data(packet(2, "1\n"));
  take(session_.to_server());
  session_.on_client_eof();
  EXPECT_EQ(take(session_.to_server()), packet(3, ""));
  session_.on_server_data(packet(4, ok_payload()));
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

TEST_F(SessionClose, ServerClosingAnIdleSessionClosesTheClient) {
  const Bytes killed = packet(0, err_payload(1927, "Connection was killed"));
  session_.on_server_data(killed);
  EXPECT_EQ(take(session_.to_client()), killed);  // the client hears why
  session_.on_server_eof();
  EXPECT_EQ(session_.close_reason(), CloseReason::ServerClosed);
  EXPECT_NE(session_.close_detail().find("1927"), std::string::npos);
}

TEST_F(SessionClose, ShutdownTellsAnIdleClientWhyAndQuitsAtOnce) {
  answer_one_command();
  session_.shutdown();
  const auto err = client_error();
  EXPECT_EQ(err.code, 1053);
  EXPECT_EQ(err.sql_state, "08S01");
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::ProxyShutdown);
  EXPECT_TRUE(session_.close_client());
}

// A client that logged in as the drain began (a restart's race: the old gracewire accepted it
// a moment before its signal) is served until it quits: its driver's own statements and its work.
TEST_F(SessionClose, ShutdownServesANewClientUntilItQuits) {
  session_.shutdown();
  EXPECT_TRUE(session_.to_client().empty());
  EXPECT_TRUE(session_.to_server().empty());
  for (const char* sql : {"SET AUTOCOMMIT = 0", "SELECT 1"}) {
    const Bytes query = command(kQuery, sql);
    session_.on_client_data(query);
    EXPECT_EQ(take(session_.to_server()), query);
    const Bytes ok = packet(1, ok_payload());
    session_.on_server_data(ok);
    EXPECT_EQ(take(session_.to_client()), ok) << sql;  // no ERR 1053 behind it
  }
  session_.on_client_data(kComQuit);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::ClientQuit);
}

// A client that had used its session before the drain is not new: it is ended as soon as its
// command is answered.
TEST_F(SessionClose, ShutdownEndsAUsedSessionWhenItsCommandIsAnswered) {
  answer_one_command();
  const Bytes query = command(kQuery, "SELECT 2");
  session_.on_client_data(query);
  take(session_.to_server());
  session_.shutdown();
  const Bytes ok = packet(1, ok_payload());
  session_.on_server_data(ok);
  const Bytes sent = take(session_.to_client());
  ASSERT_GT(sent.size(), ok.size());
  const auto err =
      protocol::decode_err(ByteView(sent).subspan(ok.size() + 4), session_.info().capabilities);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1053);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

// One that had a command answered, but connected a moment before (the proxy says so): its next
// command may already be on its way (PyMySQL's SET AUTOCOMMIT, then its work), so it is served
// until it quits too. Without that, a tight connect-work-quit loop lost 1 of ~3,700 attempts
// over three restarts (integration.restart).
TEST_F(SessionClose, ShutdownServesAJustConnectedClientUntilItQuits) {
  answer_one_command();
  session_.shutdown(false, /*just_connected=*/true);
  EXPECT_TRUE(session_.to_client().empty());
  const Bytes query = command(kQuery, "SELECT 1");
  session_.on_client_data(query);
  EXPECT_EQ(take(session_.to_server()), query);
  const Bytes ok = packet(1, ok_payload());
  session_.on_server_data(ok);
  EXPECT_EQ(take(session_.to_client()), ok);  // no ERR 1053 behind it
  session_.on_client_data(kComQuit);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::ClientQuit);
}

// One that quits by itself meanwhile ends as it chose: its close is its own COM_QUIT.
TEST_F(SessionClose, ANewClientQuittingDuringTheDrainClosesAsItsOwn) {
  session_.shutdown();
  session_.on_client_data(kComQuit);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_TRUE(session_.to_client().empty());
  EXPECT_EQ(session_.close_reason(), CloseReason::ClientQuit);
}

// The wait ends with the drain: at the deadline a new client is told and quit like any other.
TEST_F(SessionClose, ShutdownDeadlineEndsANewClientsGrace) {
  session_.shutdown();
  EXPECT_TRUE(session_.to_server().empty());
  session_.shutdown(/*now=*/true);
  EXPECT_EQ(client_error().code, 1053);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
  EXPECT_EQ(session_.close_reason(), CloseReason::ProxyShutdown);
}

TEST_F(SessionClose, ShutdownWaitsForAnOpenTransactionToEnd) {
  session_.on_client_data(command(kQuery, "BEGIN"));
  session_.on_server_data(packet(1, ok_payload(protocol::status::kInTrans)));
  take(session_.to_client());
  take(session_.to_server());
  session_.shutdown();
  EXPECT_TRUE(session_.to_server().empty());
  EXPECT_EQ(session_.phase(), Session::Phase::Idle);
  const Bytes commit = command(kQuery, "COMMIT");
  session_.on_client_data(commit);
  EXPECT_EQ(take(session_.to_server()), commit);  // the client may still finish its work
  session_.on_server_data(packet(1, ok_payload()));
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

TEST_F(SessionClose, ShutdownDeadlineEndsAnOpenTransaction) {
  session_.on_client_data(command(kQuery, "BEGIN"));
  session_.on_server_data(packet(1, ok_payload(protocol::status::kInTrans)));
  take(session_.to_server());
  session_.shutdown();
  EXPECT_TRUE(session_.to_server().empty());
  session_.shutdown(/*now=*/true);
  EXPECT_EQ(take(session_.to_server()), kComQuit);  // the server rolls the transaction back
}

TEST_F(SessionClose, ShutdownLetsTheCommandInFlightFinishFirst) {
  answer_one_command();
  session_.on_client_data(command(kQuery, "UPDATE t SET a = 1"));
  take(session_.to_server());
  session_.shutdown();
  EXPECT_TRUE(session_.to_server().empty());
  const Bytes ok = packet(1, ok_payload());
  session_.on_server_data(ok);
  // The client gets its answer, then the reason it is being closed.
  const Bytes sent = take(session_.to_client());
  ASSERT_GT(sent.size(), ok.size() + 4);
  EXPECT_TRUE(std::equal(ok.begin(), ok.end(), sent.begin()));
  auto err =
      protocol::decode_err(ByteView(sent).subspan(ok.size() + 4), session_.info().capabilities);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1053);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

TEST_F(SessionClose, WrongSequenceIdGetsAnErrorAndACleanQuit) {
  session_.on_client_data(packet(3, Bytes{kQuery, 'S'}));
  EXPECT_EQ(client_error().code, 1156);
  EXPECT_EQ(take(session_.to_server()), kComQuit);  // the bad packet never reached the server
  EXPECT_EQ(session_.close_reason(), CloseReason::ProtocolError);
  EXPECT_TRUE(session_.close_client());
}

TEST_F(SessionClose, UnknownCommandGetsAnError) {
  session_.on_client_data(packet(0, Bytes{0x55, 1, 2}));
  const auto err = client_error();
  EXPECT_EQ(err.code, 1047);
  EXPECT_NE(err.message.find("gracewire"), std::string::npos);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

TEST_F(SessionClose, TruncatedStatementExecuteGetsAnErrorAndIsNotForwarded) {
  session_.on_client_data(packet(0, Bytes{static_cast<std::uint8_t>(Command::StmtExecute), 1, 0}));
  EXPECT_EQ(client_error().code, 1835);
  EXPECT_EQ(take(session_.to_server()), kComQuit);
}

TEST_F(SessionClose, EmptyCommandPacketGetsAnError) {
  session_.on_client_data(packet(0, Bytes{}));
  EXPECT_EQ(client_error().code, 1835);
}

TEST_F(SessionClose, ServerSpeakingOutOfTurnIsAProtocolError) {
  session_.on_server_data(packet(0, ok_payload()));
  EXPECT_EQ(session_.close_reason(), CloseReason::ProtocolError);
  EXPECT_TRUE(session_.close_server());
}

TEST_F(SessionClose, ServerSequenceGapIsAProtocolError) {
  session_.on_client_data(command(kQuery, "SELECT 1"));
  session_.on_server_data(packet(5, ok_payload()));
  EXPECT_EQ(session_.close_reason(), CloseReason::ProtocolError);
  EXPECT_NE(session_.close_detail().find("sequence"), std::string::npos);
}

}  // namespace
}  // namespace gw::session
