// What a hostile or unlucky client can make a session hold, send or wait for (issue 8): held
// messages are bounded by their kind and by a budget shared by all sessions, checked as their
// header arrives; sequence ids are checked in every phase; a half-sent packet is never
// completed; a binlog dump ends at shutdown; the login steps have timeouts.

#include <gtest/gtest.h>

#include "protocol/native_password.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;

constexpr std::uint64_t kClientCapabilities = cap::kProtocol41 | cap::kTransactions |
                                              cap::kSecureConnection | cap::kPluginAuth |
                                              cap::kMultiResults | cap::kLocalFiles;

// A packet header that declares `length` payload bytes, and the first of them: what the
// splitter needs to see a message start.
Bytes header(std::uint32_t length, std::uint8_t seq, std::uint8_t first = 0x03) {
  return {static_cast<std::uint8_t>(length), static_cast<std::uint8_t>(length >> 8),
          static_cast<std::uint8_t>(length >> 16), seq, first};
}

struct ErrSeen {
  std::uint8_t sequence_id = 0;
  std::uint16_t code = 0;
};
// The one ERR packet in `bytes`, as the client would read it.
std::optional<ErrSeen> only_err(const Bytes& bytes) {
  auto frame = protocol::decode_frame_header(bytes);
  if (!frame || bytes.size() != 4 + frame->payload_length) return std::nullopt;
  auto err = protocol::decode_err(ByteView(bytes).subspan(4), cap::kProtocol41);
  if (!err) return std::nullopt;
  return ErrSeen{frame->sequence_id, err->code};
}

SessionSettings control(SessionSettings settings = {}) {
  settings.handshake_credentials = ControlCredentials{"gw_control", "s3cret"};
  settings.can_kill = true;
  return settings;
}

void greet(ScriptedSession& session) {
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload(77)));
  ASSERT_EQ(session.phase(), Session::Phase::Handshake);
  take(session.to_client());
}

void authenticate(ScriptedSession& session) {
  greet(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(packet(2, ok_payload()));
  ASSERT_EQ(session.phase(), Session::Phase::Idle);
  take(session.to_client());
  take(session.to_server());
}

// Greeting, HandshakeResponse, and the server's switch to mysql_clear_password (seq 2): the
// client's turn, with sequence id 3.
void switch_to_clear_password(ScriptedSession& session) {
  greet(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  take(session.to_server());
  session.on_server_data(packet(2,
                                "\xfe"
                                "mysql_clear_password\0"));
  take(session.to_client());
}

// The control account's HandshakeResponse and COM_QUIT: the clean end of an abandoned handshake.
bool ended_as_control_account(const Bytes& to_server) {
  if (to_server.size() < kComQuit.size() + 4) return false;
  const Bytes tail(to_server.end() - static_cast<std::ptrdiff_t>(kComQuit.size()), to_server.end());
  auto frame = protocol::decode_frame_header(to_server);
  if (!frame || to_server.size() != 4 + frame->payload_length + kComQuit.size()) return false;
  auto response =
      protocol::decode_handshake_response(ByteView(to_server).subspan(4, frame->payload_length));
  return tail == kComQuit && response && response->user == "gw_control";
}

TEST(SessionBounds, HugeHandshakeResponseIsRefusedAtItsHeaderAndNothingIsHeld) {
  ScriptedSession session(control());
  greet(session);
  // 100 MiB of 16 MiB packets would follow; the first header already says too much.
  session.on_client_data(header(protocol::kMaxPacketPayload, 1));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1153);  // ER_NET_PACKET_TOO_LARGE
  EXPECT_EQ(err->sequence_id, 2);
  EXPECT_EQ(session.held_bytes(), 0u);
  EXPECT_TRUE(ended_as_control_account(take(session.to_server())));
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  // What the client keeps sending goes nowhere.
  const Bytes chunk(kMiB, 'a');
  for (int i = 0; i < 100; ++i) session.on_client_data(chunk);
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_EQ(session.close_reason(), CloseReason::ProtocolError);
}

TEST(SessionBounds, HandshakeResponseJustOverItsBoundIsRefused) {
  ScriptedSession session(control());
  greet(session);
  session.on_client_data(header(kHandshakeResponseLimit + 1, 1));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1153);
}

TEST(SessionBounds, HandshakeResponseHeldByteByByteCountsAgainstTheBudgetUntilItEnds) {
  auto budget = std::make_shared<HoldBudget>(1 * kMiB);
  SessionSettings settings;
  settings.hold_budget = budget;
  ScriptedSession session(settings);
  greet(session);
  const Bytes response = packet(1, response_payload(kClientCapabilities));
  for (std::size_t i = 0; i + 1 < response.size(); ++i) {
    session.on_client_data(ByteView(&response[i], 1));
  }
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_EQ(budget->held(), response.size() - 4);
  session.on_client_data(ByteView(&response.back(), 1));
  EXPECT_EQ(take(session.to_server()), response);
  EXPECT_EQ(budget->held(), 0u);
}

TEST(SessionBounds, LoginMessageThatDoesNotFitTheSharedBudgetIsRefused) {
  auto budget = std::make_shared<HoldBudget>(1000);
  SessionSettings settings = control();
  settings.hold_budget = budget;
  ScriptedSession first(settings);
  greet(first);
  first.on_client_data(header(990, 1));  // held, never finished
  EXPECT_EQ(budget->held(), 990u);

  ScriptedSession second(settings);
  greet(second);
  second.on_client_data(packet(1, response_payload(kClientCapabilities)));
  const auto err = only_err(take(second.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1041);  // ER_OUT_OF_RESOURCES
  EXPECT_TRUE(ended_as_control_account(take(second.to_server())));
}

TEST(SessionBounds, BudgetIsReturnedWhenASessionEndsMidMessage) {
  auto budget = std::make_shared<HoldBudget>(1 * kMiB);
  SessionSettings settings;
  settings.hold_budget = budget;
  {
    ScriptedSession session(settings);
    authenticate(session);
    session.on_client_data(header(500'000, 0, kQuery));
    EXPECT_EQ(budget->held(), 500'000u);
    session.on_client_eof();
  }
  EXPECT_EQ(budget->held(), 0u);
}

TEST(SessionBounds, OversizedAuthPacketIsRefused) {
  ScriptedSession session(control());
  switch_to_clear_password(session);
  // The client answers with far more than any plugin needs.
  session.on_client_data(header(kAuthPacketLimit + 1, 3));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1153);
  EXPECT_TRUE(session.to_server().empty());  // the server still owes nothing: wait, then drop
}

TEST(SessionBounds, CommandUpToHoldLimitIsHeldWholeSoAClientDyingHalfWayLeavesNothing) {
  ScriptedSession session;
  authenticate(session);
  const Bytes query = command(kQuery, "SELECT '" + std::string(100 * kKiB, 'x') + "'");
  session.on_client_data(ByteView(query).first(query.size() / 2));
  EXPECT_TRUE(session.to_server().empty());  // not one byte before the whole command is here
  session.on_client_eof();
  EXPECT_EQ(take(session.to_server()), kComQuit);  // the clean goodbye, on a packet boundary
  EXPECT_EQ(session.close_reason(), CloseReason::FinWithoutQuit);
}

TEST(SessionBounds, HeldCommandIsForwardedExactlyAsSent) {
  ScriptedSession session;
  authenticate(session);
  const Bytes query = command(kQuery, "SELECT '" + std::string(3 * kMiB, 'x') + "'");
  for (std::size_t at = 0; at < query.size(); at += 65536) {
    session.on_client_data(
        ByteView(query).subspan(at, std::min<std::size_t>(65536, query.size() - at)));
  }
  EXPECT_EQ(take(session.to_server()), query);
  EXPECT_EQ(session.phase(), Session::Phase::Command);
}

TEST(SessionBounds, CommandThatDoesNotFitTheBudgetStreams) {
  auto budget = std::make_shared<HoldBudget>(1000);
  SessionSettings settings;
  settings.hold_budget = budget;
  ScriptedSession session(settings);
  authenticate(session);
  const Bytes query = command(kQuery, "SELECT '" + std::string(2000, 'x') + "'");
  session.on_client_data(ByteView(query).first(100));
  EXPECT_EQ(take(session.to_server()), Bytes(query.begin(), query.begin() + 100));
  EXPECT_EQ(budget->held(), 0u);
}

TEST(SessionBounds, HalfSentStreamedCommandIsEndedWithKillConnectionNeverCompleted) {
  SessionSettings settings = control();
  settings.hold_limit = 1000;  // streams what is longer
  ScriptedSession session(settings);
  authenticate(session);
  const Bytes query = command(kQuery, "DELETE FROM t WHERE id=5" + std::string(2000, ' '));
  session.on_client_data(ByteView(query).first(50));
  EXPECT_EQ(take(session.to_server()).size(), 50u);
  session.on_client_eof(ClientEnd::Reset);
  EXPECT_TRUE(session.to_server().empty());  // no COM_QUIT inside the packet, no padding
  EXPECT_EQ(session.take_kill_request(), kill_connection(77));
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  session.on_server_eof();
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Killed);
  EXPECT_EQ(session.close_reason(), CloseReason::Rst);
}

TEST(SessionBounds, HalfSentStreamedCommandWithoutControlConnectionIsClosed) {
  SessionSettings settings;
  settings.hold_limit = 1000;
  ScriptedSession session(settings);
  authenticate(session);
  const Bytes query = command(kQuery, "DELETE FROM t WHERE id=5" + std::string(2000, ' '));
  session.on_client_data(ByteView(query).first(50));
  take(session.to_server());
  session.on_client_eof();
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_TRUE(session.close_server());
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Dropped);
}

TEST(SessionBounds, ShutdownWaitsForAStreamingCommandRatherThanQuitInsideIt) {
  SessionSettings settings = control();
  settings.hold_limit = 1000;
  ScriptedSession session(settings);
  authenticate(session);
  const Bytes query = command(kQuery, "SELECT '" + std::string(2000, 'x') + "'");
  session.on_client_data(ByteView(query).first(500));
  take(session.to_server());
  session.shutdown();
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_TRUE(session.to_client().empty());
  session.on_client_data(ByteView(query).subspan(500));
  EXPECT_EQ(take(session.to_server()).size(), query.size() - 500);
  EXPECT_EQ(session.phase(), Session::Phase::Command);
}

TEST(SessionBounds, HandshakeResponseWithAWrongSequenceIdNeverReachesTheServer) {
  ScriptedSession session(control());
  greet(session);
  session.on_client_data(packet(3, response_payload(kClientCapabilities)));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1156);  // ER_NET_PACKETS_OUT_OF_ORDER
  EXPECT_EQ(err->sequence_id, 2);
  EXPECT_TRUE(ended_as_control_account(take(session.to_server())));
}

TEST(SessionBounds, AuthPacketOutOfSequenceNeverReachesTheServer) {
  ScriptedSession session(control());
  switch_to_clear_password(session);
  session.on_client_data(packet(5, "secret"));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1156);
  EXPECT_EQ(err->sequence_id, 4);
  EXPECT_TRUE(session.to_server().empty());
}

TEST(SessionBounds, ClientMaySpeakInAuthenticationOnlyWhenAsked) {
  ScriptedSession session(control());
  greet(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  take(session.to_server());
  // The server owes its verdict; a second client packet must wait for it.
  session.on_client_data(packet(2, "unasked"));
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_TRUE(session.client_backlogged());
  // The verdict comes; the waiting packet is not a command (sequence id 2): ERR, clean quit.
  session.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(take(session.to_server()), kComQuit);
  EXPECT_EQ(session.close_reason(), CloseReason::ProtocolError);
}

TEST(SessionBounds, InfileDataOutOfSequenceEndsTheFileCleanly) {
  ScriptedSession session;
  authenticate(session);
  session.on_client_data(command(kQuery, "LOAD DATA LOCAL INFILE 'f' INTO TABLE t"));
  take(session.to_server());
  session.on_server_data(packet(1,
                                "\xfb"
                                "f"));
  take(session.to_client());
  session.on_client_data(packet(7, "1,2\n"));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1156);
  EXPECT_EQ(take(session.to_server()), packet(2, Bytes{}));  // the file ends as the client's would
}

TEST(SessionBounds, HalfSentInfilePacketIsEndedWithKillConnectionNotAnEmptyPacket) {
  ScriptedSession session(control());
  authenticate(session);
  session.on_client_data(command(kQuery, "LOAD DATA LOCAL INFILE 'f' INTO TABLE t"));
  take(session.to_server());
  session.on_server_data(packet(1,
                                "\xfb"
                                "f"));
  take(session.to_client());
  const Bytes data = packet(2, std::string(1000, '1'));
  session.on_client_data(ByteView(data).first(300));
  EXPECT_EQ(take(session.to_server()).size(), 300u);
  session.on_client_eof();
  EXPECT_TRUE(session.to_server().empty());  // an empty packet here would become file contents
  EXPECT_EQ(session.take_kill_request(), kill_connection(77));
}

Bytes binlog_event(std::uint8_t seq) { return packet(seq, Bytes(40, 0x00)); }

// An authenticated replica's COM_BINLOG_DUMP and the first event (seq 1) the server sent it.
void start_dump(ScriptedSession& session) {
  authenticate(session);
  session.on_client_data(
      command(static_cast<std::uint8_t>(Command::BinlogDump), std::string(10, '\0')));
  take(session.to_server());
  session.on_server_data(binlog_event(1));
}

TEST(SessionBounds, ShutdownEndsABinlogDumpAtOnceWithKillQuery) {
  ScriptedSession session(control());
  start_dump(session);
  take(session.to_client());
  session.shutdown();  // not `now`: a dump never finishes, so it is not waited for
  EXPECT_EQ(session.take_kill_request(), kill_query(77));
  EXPECT_TRUE(session.to_server().empty());  // COM_QUIT is never read by a dump thread
  // The server answers the KILL with its end-of-stream EOF, then closes by itself.
  const Bytes eof = packet(2, eof_payload());
  session.on_server_data(eof);
  EXPECT_EQ(take(session.to_client()), eof);  // the replica hears the end of the stream
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  EXPECT_TRUE(session.close_client());
  session.on_server_eof();
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Killed);
  EXPECT_EQ(session.close_reason(), CloseReason::ProxyShutdown);
}

TEST(SessionBounds, ReplicaLeavingMidDumpIsEndedWithKillQueryWhateverInFlightSays) {
  ScriptedSession session(control());  // in_flight = finish by default
  start_dump(session);
  session.on_client_eof(ClientEnd::Reset);
  EXPECT_EQ(session.take_kill_request(), kill_query(77));
  session.on_server_data(packet(2, eof_payload()));
  EXPECT_TRUE(session.to_server().empty());  // no COM_QUIT after a dump
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  session.on_server_eof();
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Killed);
}

TEST(SessionBounds, ShutdownWithoutControlConnectionClosesADumpAtOnce) {
  ScriptedSession session;
  start_dump(session);
  take(session.to_client());
  session.shutdown();
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1053);
  EXPECT_EQ(err->sequence_id, 2);
  EXPECT_TRUE(session.close_server());
}

TEST(SessionBounds, CredentialsOfferedAfterTheSessionBeganEndAnAbandonedHandshakeCleanly) {
  ScriptedSession session;  // accepted before the control connection had logged in
  greet(session);
  session.offer_handshake_credentials(ControlCredentials{"gw_control", "s3cret"});
  session.on_client_eof();
  EXPECT_TRUE(ended_as_control_account(take(session.to_server())));
}

// A client still logging in when the drain begins finishes its login (and is then served until
// it quits, session_close_test.cpp): the old gracewire of a restart serves what it accepted.
TEST(SessionBounds, ShutdownLetsAClientStillLoggingInFinish) {
  ScriptedSession session(control());
  greet(session);
  session.shutdown();
  EXPECT_TRUE(session.to_client().empty());
  const Bytes response = packet(1, response_payload(kClientCapabilities));
  session.on_client_data(response);
  EXPECT_EQ(take(session.to_server()), response);
  const Bytes ok = packet(2, ok_payload());
  session.on_server_data(ok);
  EXPECT_EQ(take(session.to_client()), ok);
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionBounds, ShutdownWaitsForAServerMessageHalfForwardedToTheClient) {
  ScriptedSession session(control());
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT 1"));  // no longer new to the drain
  session.on_server_data(packet(1, ok_payload()));
  take(session.to_client());
  take(session.to_server());
  // The server starts telling the idle client why it is about to close (found by fuzzing).
  const Bytes goodbye = packet(0, err_payload(4031, "The client was disconnected by the server"));
  session.on_server_data(ByteView(goodbye).first(10));
  EXPECT_EQ(take(session.to_client()).size(), 10u);
  session.shutdown();
  EXPECT_TRUE(session.to_client().empty());  // not an ERR 1053 inside the server's packet
  EXPECT_TRUE(session.to_server().empty());
  session.on_server_data(ByteView(goodbye).subspan(10));
  const Bytes to_client = take(session.to_client());
  ASSERT_GT(to_client.size(), goodbye.size() - 10);
  const auto err = only_err(
      Bytes(to_client.begin() + static_cast<std::ptrdiff_t>(goodbye.size() - 10), to_client.end()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1053);
  EXPECT_EQ(take(session.to_server()), kComQuit);
}

TEST(SessionBounds, GreetingTimeoutTellsTheClient) {
  ScriptedSession session(control());
  session.on_upstream_connected();
  session.on_greeting_timeout("the server did not greet within 10 ms");
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, kUpstreamUnreachableError);
  EXPECT_EQ(err->sequence_id, 0);
  EXPECT_TRUE(session.close_server());
  EXPECT_TRUE(session.close_client());
}

TEST(SessionBounds, HandshakeTimeoutTellsTheClientAndEndsTheUpstreamCleanly) {
  ScriptedSession session(control());
  greet(session);
  session.on_handshake_timeout("no handshake response within 10 ms");
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->sequence_id, 2);
  EXPECT_TRUE(ended_as_control_account(take(session.to_server())));
  EXPECT_EQ(session.close_reason(), CloseReason::HandshakeAbort);
}

TEST(SessionBounds, GarbageGreetingGivesTheClientAnErrNotABareClose) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, "\x0a garbage"));
  const auto err = only_err(take(session.to_client()));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, kUpstreamUnreachableError);
  EXPECT_TRUE(session.close_client());
  EXPECT_TRUE(session.close_server());
}

}  // namespace
}  // namespace gw::session
