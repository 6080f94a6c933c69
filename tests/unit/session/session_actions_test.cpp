// The order of a Session's actions: what the proxy does, step by step, for each way a session
// lives and ends. The proxy infers nothing; these lists are all it is told.

#include <gtest/gtest.h>

#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;

constexpr std::uint64_t kClientCapabilities = cap::kProtocol41 | cap::kTransactions |
                                              cap::kSecureConnection | cap::kPluginAuth |
                                              cap::kMultiResults;

// The kinds of actions in `log`, with sends reduced to their leg: the shape of what was asked.
std::vector<std::string> shape(const std::vector<Action>& log) {
  std::vector<std::string> out;
  for (const Action& action : log) {
    if (const auto* send = std::get_if<Send>(&action)) {
      out.emplace_back(send->leg == Leg::Client ? "send client" : "send server");
    } else if (const auto* close = std::get_if<CloseLeg>(&action)) {
      const char* how = close->how == CloseLeg::How::Flush  ? "flush"
                        : close->how == CloseLeg::How::Drop ? "drop"
                                                            : "reset";
      out.emplace_back(std::string(close->leg == Leg::Client ? "close client " : "close server ") +
                       how);
    } else if (const auto* kill = std::get_if<KillRequest>(&action)) {
      out.emplace_back(kill->kind == KillRequest::Kind::Query ? "kill query" : "kill connection");
    } else if (std::holds_alternative<CancelDone>(action)) {
      out.emplace_back("cancel done");
    } else if (std::holds_alternative<QuitSent>(action)) {
      out.emplace_back("quit sent");
    } else if (const auto* timer = std::get_if<ArmTimer>(&action)) {
      static constexpr const char* kNames[] = {"none", "connect", "greeting", "handshake", "close"};
      out.emplace_back(std::string("timer ") + kNames[static_cast<int>(timer->timer)]);
    } else if (std::holds_alternative<UpstreamGreeted>(action)) {
      out.emplace_back("greeted");
    } else if (std::holds_alternative<Authenticated>(action)) {
      out.emplace_back("authenticated");
    } else {
      out.emplace_back("event");
    }
  }
  return out;
}

using Shape = std::vector<std::string>;

SessionSettings cancelling() {
  SessionSettings settings;
  settings.in_flight = InFlightPolicy::Cancel;
  settings.can_kill = true;
  settings.handshake_credentials = ControlCredentials{"gw_control", "s3cret"};
  return settings;
}

void authenticate(ScriptedSession& session) {
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload(77)));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(packet(2, ok_payload()));
  ASSERT_EQ(session.phase(), Session::Phase::Idle);
  session.log.clear();
}

TEST(SessionActions, LoginArmsEachTimerInTurnAndAnnouncesItsMilestones) {
  ScriptedSession session;
  EXPECT_EQ(shape(session.log), (Shape{"timer connect"}));
  session.log.clear();
  session.on_upstream_connected();
  EXPECT_EQ(shape(session.log), (Shape{"timer greeting"}));
  session.log.clear();
  session.on_server_data(packet(0, greeting_payload(77)));
  EXPECT_EQ(shape(session.log), (Shape{"greeted", "send client", "timer handshake"}));
  session.log.clear();
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  EXPECT_EQ(shape(session.log), (Shape{"send server", "timer none"}));
  session.log.clear();
  session.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(shape(session.log), (Shape{"send client", "event", "authenticated"}));
}

TEST(SessionActions, ClientComQuitIsSentThenTimedThenBothLegsClosedAfterTheServer) {
  ScriptedSession session;
  authenticate(session);
  session.on_client_data(kComQuit);
  EXPECT_EQ(shape(session.log), (Shape{"quit sent", "send server", "timer close"}));
  session.log.clear();
  session.on_server_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close client flush", "close server flush"}));
}

// The path that enters Quitting without sending COM_QUIT (the server closes after a dump's KILL)
// says no "quit sent": upstream_close_ms times only a COM_QUIT.
TEST(SessionActions, KilledDumpEndsWithoutQuitSent) {
  ScriptedSession session(cancelling());
  authenticate(session);
  Bytes dump = {
      static_cast<std::uint8_t>(protocol::Command::BinlogDump), 4, 0, 0, 0, 0, 0, 2, 0, 0, 0};
  session.on_client_data(packet(0, dump));
  session.log.clear();
  session.shutdown();
  EXPECT_EQ(shape(session.log), (Shape{"kill query"}));
  session.log.clear();
  session.on_server_data(packet(1, eof_payload()));
  EXPECT_EQ(shape(session.log),
            (Shape{"send client", "event", "cancel done", "close client flush", "timer close"}));
  session.log.clear();
  session.on_server_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close server flush"}));
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Killed);
  EXPECT_EQ(session.quits_sent(), 0);
}

TEST(SessionActions, CancelIsAskedOnceAndDoneWhenTheResponseEnds) {
  ScriptedSession session(cancelling());
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT SLEEP(60)"));
  session.log.clear();
  session.on_client_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "kill query"}));
  session.log.clear();
  session.on_server_data(packet(1, err_payload(1317, "Query execution was interrupted")));
  EXPECT_EQ(shape(session.log),
            (Shape{"event", "cancel done", "send server", "quit sent", "timer close"}));
}

TEST(SessionActions, ClientResetMirroredResetsTheServerLegOnce) {
  SessionSettings settings;
  settings.client_abort = ClientAbortPolicy::Mirror;
  ScriptedSession session(settings);
  authenticate(session);
  session.on_client_eof(ClientEnd::Reset);
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "close server reset", "timer close"}));
}

// A client leg that was flushing (an ERR 1053 queued) and then leaves is dropped: nobody reads.
TEST(SessionActions, FlushingClientLegIsDroppedWhenTheClientLeaves) {
  ScriptedSession session;
  authenticate(session);
  session.on_client_data(command(kQuery, "SELECT 1"));  // no longer new to the drain
  session.on_server_data(packet(1, ok_payload()));
  session.log.clear();
  session.shutdown();
  EXPECT_EQ(shape(session.log), (Shape{"send client", "send server", "quit sent",
                                       "close client flush", "timer close"}));
  session.log.clear();
  session.on_client_eof();
  session.on_server_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "close server flush"}));
  EXPECT_EQ(session.close_reason(), CloseReason::ProxyShutdown);
}

TEST(SessionActions, CloseTimeoutDropsBothLegsAndIsNeverReArmed) {
  ScriptedSession session;
  authenticate(session);
  session.on_client_data(kComQuit);  // the client waits for the server's close
  session.log.clear();
  session.on_close_timeout();
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "close server drop"}));
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Timeout);
  session.on_server_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "close server drop"}));
}

TEST(SessionActions, ClientLeavingWhileConnectingEndsWithNothingToFlushUpstream) {
  ScriptedSession session;
  session.log.clear();
  session.on_client_eof();
  EXPECT_EQ(shape(session.log), (Shape{"close client drop", "close server drop", "timer close"}));
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::NotConnected);
  EXPECT_EQ(session.close_reason(), CloseReason::HandshakeAbort);
}

TEST(SessionActions, ComQuitDuringTheDrainIsTheClientsOwnGoodbye) {
  ScriptedSession session;
  authenticate(session);
  session.on_client_data(command(kQuery, "BEGIN"));
  session.on_server_data(packet(1, ok_payload(protocol::status::kInTrans)));
  session.shutdown();  // waits: the transaction is the client's to finish
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
  session.on_client_data(kComQuit);
  EXPECT_EQ(session.close_reason(), CloseReason::ClientQuit);
}

}  // namespace
}  // namespace gw::session
