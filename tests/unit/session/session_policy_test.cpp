// The close policies: cancel vs finish, absorb vs mirror, and ending abandoned handshakes with
// the control account.

#include <gtest/gtest.h>

#include "protocol/native_password.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;

constexpr std::uint64_t kClientCapabilities = cap::kProtocol41 | cap::kTransactions |
                                              cap::kSecureConnection | cap::kPluginAuth |
                                              cap::kMultiResults;

SessionSettings with(ClientAbortPolicy abort, InFlightPolicy in_flight, bool credentials) {
  SessionSettings settings;
  settings.client_abort = abort;
  settings.in_flight = in_flight;
  if (credentials) settings.handshake_credentials = ControlCredentials{"gw_control", "s3cret"};
  return settings;
}

void authenticate(ScriptedSession& session) {
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload(77)));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(packet(2, ok_payload()));
  ASSERT_EQ(session.phase(), Session::Phase::Idle);
  take(session.to_client());
  take(session.to_server());
}

TEST(SessionPolicy, CancelAsksOnceToKillTheServersQueryThenDrainsAndQuits) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT SLEEP(60)"));
  take(session.to_server());
  session.on_client_eof();
  EXPECT_EQ(session.take_kill_request(), kill_query(77));  // the id from the server's greeting
  EXPECT_FALSE(session.take_kill_request());
  EXPECT_FALSE(session.ending_is_bounded());  // the proxy times the drain from the KILL's answer
  EXPECT_EQ(session.close_reason(), CloseReason::MidCommand);
  // The killed query answers with its column header and ERR 1317, then gracewire quits.
  session.on_server_data(concat(
      {one_column_header(), packet(4, err_payload(1317, "Query execution was interrupted"))}));
  EXPECT_TRUE(session.to_client().empty());
  EXPECT_EQ(take(session.to_server()), kComQuit);
  session.on_server_eof();
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::ComQuitEof);
}

TEST(SessionPolicy, ComQuitBehindACommandCancelsItInsteadOfWaiting) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT SLEEP(60)"));
  take(session.to_server());
  session.on_client_data(kComQuit);
  EXPECT_FALSE(session.client_backlogged());  // not queued behind the statement
  EXPECT_TRUE(session.to_server().empty());   // gracewire quits once the response is drained
  EXPECT_EQ(session.take_kill_request(), kill_query(77));
  EXPECT_EQ(session.close_reason(), CloseReason::ClientQuit);
  session.on_server_data(packet(1, err_payload(1317, "Query execution was interrupted")));
  EXPECT_EQ(take(session.to_server()), kComQuit);
}

TEST(SessionPolicy, MirrorForwardsAComQuitBehindACommandAsTheClientSentIt) {
  ScriptedSession session(with(ClientAbortPolicy::Mirror, InFlightPolicy::Cancel, true));
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT SLEEP(1)"));
  take(session.to_server());
  session.on_client_data(kComQuit);
  EXPECT_EQ(take(session.to_server()), kComQuit);
  EXPECT_FALSE(session.take_kill_request());
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
}

TEST(SessionPolicy, MirrorClosesUpstreamTheWayTheClientDid) {
  ScriptedSession fin(with(ClientAbortPolicy::Mirror, InFlightPolicy::Cancel, true));
  authenticate(fin);
  fin.on_client_eof(ClientEnd::Fin);
  EXPECT_TRUE(fin.to_server().empty());  // no COM_QUIT: the server sees the abort
  EXPECT_TRUE(fin.close_server());
  EXPECT_FALSE(fin.reset_server());
  EXPECT_EQ(fin.upstream_end(), UpstreamEnd::Mirrored);
  EXPECT_EQ(fin.close_reason(), CloseReason::FinWithoutQuit);

  ScriptedSession rst(with(ClientAbortPolicy::Mirror, InFlightPolicy::Cancel, true));
  authenticate(rst);
  rst.on_client_eof(ClientEnd::Reset);
  EXPECT_TRUE(rst.reset_server());
  EXPECT_EQ(rst.close_reason(), CloseReason::Rst);
}

TEST(SessionPolicy, MirrorStillForwardsAClientsOwnComQuit) {
  ScriptedSession session(with(ClientAbortPolicy::Mirror, InFlightPolicy::Cancel, false));
  authenticate(session);
  session.on_client_data(kComQuit);
  EXPECT_EQ(take(session.to_server()), kComQuit);
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
}

// What gracewire sends for an abandoned handshake: a HandshakeResponse41 as the control account,
// then COM_QUIT, in one write.
void expect_control_login_then_quit(const Bytes& sent) {
  ASSERT_GT(sent.size(), kComQuit.size() + 4);
  auto header = protocol::decode_frame_header(sent);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->sequence_id, 1);
  auto response =
      protocol::decode_handshake_response(ByteView(sent).subspan(4, header->payload_length));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->user, "gw_control");
  EXPECT_EQ(response->auth_plugin, "mysql_native_password");
  EXPECT_EQ(response->auth_response,
            protocol::native_password_response("s3cret", "abcdefgh123456789012"));
  EXPECT_EQ(Bytes(sent.end() - 5, sent.end()), kComQuit);
}

TEST(SessionPolicy, ClientLeavingAfterTheGreetingIsLoggedInAsControlAndQuit) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_eof();
  expect_control_login_then_quit(take(session.to_server()));
  EXPECT_EQ(session.close_reason(), CloseReason::HandshakeAbort);
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
}

TEST(SessionPolicy, ClientLeavingBeforeTheGreetingIsAnsweredWhenTheGreetingComes) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  session.on_client_eof();  // still connecting upstream
  EXPECT_TRUE(session.to_server().empty());
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  EXPECT_TRUE(session.to_client().empty());
  expect_control_login_then_quit(take(session.to_server()));
}

TEST(SessionPolicy, WithoutCredentialsAnAbandonedHandshakeIsDropped) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Finish, false));
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_eof();
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_TRUE(session.close_server());
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Dropped);
}

// gracewire has just started and its control connection is still logging in: a handshake
// abandoned now waits for the credentials rather than being dropped (the server would log it as
// an aborted connection, "closed normally without authentication"); seen when a refused client
// came before the control login.
SessionSettings credentials_coming() {
  SessionSettings settings = with(ClientAbortPolicy::Absorb, InFlightPolicy::Finish, false);
  settings.handshake_credentials_coming = true;
  return settings;
}

TEST(SessionPolicy, AnAbandonedHandshakeWaitsForCredentialsThatAreComing) {
  ScriptedSession session(credentials_coming());
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_eof();
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_FALSE(session.close_server());
  EXPECT_TRUE(session.ending_is_bounded()) << "the wait is bounded by close_timeout";
  session.offer_handshake_credentials(ControlCredentials{"gw_control", "s3cret"});
  expect_control_login_then_quit(take(session.to_server()));
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  session.on_server_eof();
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::ComQuitEof);
}

TEST(SessionPolicy, AHandshakeAbandonedBeforeTheGreetingAlsoWaitsForComingCredentials) {
  ScriptedSession session(credentials_coming());
  session.on_client_eof();  // still connecting upstream
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_FALSE(session.close_server());
  session.offer_handshake_credentials(ControlCredentials{"gw_control", "s3cret"});
  expect_control_login_then_quit(take(session.to_server()));
}

TEST(SessionPolicy, CredentialsThatDoNotComeWithinCloseTimeoutLeaveTheHandshakeDropped) {
  ScriptedSession session(credentials_coming());
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_eof();
  session.on_close_timeout();
  EXPECT_TRUE(session.close_server());
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Timeout);
}

TEST(SessionPolicy, CredentialsOfferedToALiveHandshakeChangeNothingForItsClient) {
  ScriptedSession session(credentials_coming());
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  take(session.to_client());
  session.offer_handshake_credentials(ControlCredentials{"gw_control", "s3cret"});
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_EQ(session.phase(), Session::Phase::Handshake);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionPolicy, ClientLeavingMidAuthenticationWaitsForTheVerdictThenQuits) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  take(session.to_server());
  session.on_client_eof();
  EXPECT_FALSE(session.close_server());  // the server owes its OK or ERR
  session.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(take(session.to_server()), kComQuit);
  EXPECT_EQ(session.close_reason(), CloseReason::HandshakeAbort);
}

TEST(SessionPolicy, MalformedHandshakeResponseIsRefusedAndTheUpstreamEndedCleanly) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  take(session.to_client());
  session.on_client_data(packet(1, Bytes{0x05, 0xa6}));  // 2 bytes of a 32+ byte response
  EXPECT_FALSE(session.to_client().empty());             // the client is told
  expect_control_login_then_quit(take(session.to_server()));
  EXPECT_EQ(session.close_reason(), CloseReason::ProtocolError);
}

TEST(SessionPolicy, ShutdownDeadlineLetsGoOfAClientInTheMiddleOfAResult) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT * FROM big"));
  take(session.to_server());
  session.on_server_data(concat({one_column_header(), packet(4,
                                                             "\x01"
                                                             "a")}));
  take(session.to_client());
  session.shutdown(/*now=*/true);
  EXPECT_TRUE(session.client_gone());  // its unread backlog no longer holds the server back
  EXPECT_EQ(session.take_kill_request(), kill_query(77));
  // Nobody reads the rest: it is not read either until the server has taken the KILL.
  EXPECT_TRUE(session.holds_server_reads());
  session.cancel_acknowledged();
  EXPECT_FALSE(session.holds_server_reads());
  session.on_server_data(concat({packet(5,
                                        "\x01"
                                        "b"),
                                 packet(6, eof_payload())}));
  EXPECT_TRUE(session.to_client().empty());
  EXPECT_EQ(take(session.to_server()), kComQuit);
  EXPECT_EQ(session.close_reason(), CloseReason::ProxyShutdown);
}

TEST(SessionPolicy, ShutdownDeadlineCancelsTheCommandThenTellsTheClient) {
  ScriptedSession session(with(ClientAbortPolicy::Absorb, InFlightPolicy::Cancel, true));
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT SLEEP(60)"));
  session.shutdown();
  EXPECT_FALSE(session.take_kill_request());  // commands in flight may finish
  session.shutdown(/*now=*/true);
  EXPECT_EQ(session.take_kill_request(), kill_query(77));
  EXPECT_FALSE(session.holds_server_reads()) << "its client still waits for the answer";
  take(session.to_server());
  const Bytes interrupted = packet(1, err_payload(1317, "Query execution was interrupted"));
  session.on_server_data(interrupted);
  const Bytes to_client = take(session.to_client());
  ASSERT_GT(to_client.size(), interrupted.size());
  EXPECT_TRUE(std::equal(interrupted.begin(), interrupted.end(), to_client.begin()));
  EXPECT_EQ(take(session.to_server()), kComQuit);
}

}  // namespace
}  // namespace gw::session
