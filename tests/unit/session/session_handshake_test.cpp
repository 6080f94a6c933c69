#include <gtest/gtest.h>

#include "protocol/handshake.h"
#include "session/capabilities.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;
using protocol::Command;

constexpr std::uint64_t kClientCapabilities =
    cap::kLongFlag | cap::kProtocol41 | cap::kTransactions | cap::kSecureConnection |
    cap::kMultiStatements | cap::kMultiResults | cap::kPluginAuth | cap::kConnectAttrs |
    cap::kPluginAuthLenencData | cap::kLocalFiles;

TEST(SessionHandshake, GreetingReachesTheClientWithoutWhatGracewireCannotFollow) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload(77)));
  EXPECT_EQ(session.phase(), Session::Phase::Handshake);
  EXPECT_EQ(session.info().server_connection_id, 77u);

  const Bytes sent = take(session.to_client());
  auto header = protocol::decode_frame_header(sent);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->sequence_id, 0);
  auto greeting = protocol::decode_greeting(ByteView(sent).subspan(4));
  ASSERT_TRUE(greeting);
  EXPECT_EQ(greeting->capabilities & (cap::kCompress | cap::kSsl | cap::kMariadbCacheMetadata), 0u);
  EXPECT_EQ(greeting->capabilities, supported(kServerCapabilities));
  EXPECT_EQ(greeting->auth_data, "abcdefgh123456789012");
}

TEST(SessionHandshake, ResponseAndOkLeadToIdleWithTheClientsIdentity) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  take(session.to_client());

  const Bytes response = packet(1, response_payload(kClientCapabilities, "reporting"));
  session.on_client_data(response);
  EXPECT_EQ(session.phase(), Session::Phase::Auth);
  EXPECT_EQ(take(session.to_server()), response);  // nothing to remove: forwarded as sent
  EXPECT_EQ(session.info().user, "reporting");
  EXPECT_EQ(session.info().program(), "mysql");

  const Bytes ok = packet(2, ok_payload());
  session.on_server_data(ok);
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
  EXPECT_EQ(take(session.to_client()), ok);
}

TEST(SessionHandshake, ClientCapabilitiesBeyondTheOfferAreRemoved) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_data(packet(1, response_payload(kClientCapabilities | cap::kCompress)));
  const Bytes forwarded = take(session.to_server());
  auto response = protocol::decode_handshake_response(ByteView(forwarded).subspan(4));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->capabilities, kClientCapabilities);
  EXPECT_EQ(session.info().capabilities & cap::kCompress, 0u);
}

TEST(SessionHandshake, AuthSwitchRoundTripFromBothSidesEndsInIdle) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  // Server asks for client_ed25519, client signs, server accepts.
  Bytes switch_request{protocol::kAuthSwitchHeader};
  for (char c : std::string_view("client_ed25519"))
    switch_request.push_back(static_cast<std::uint8_t>(c));
  switch_request.push_back(0);
  switch_request.insert(switch_request.end(), 32, 0x11);
  session.on_server_data(packet(2, switch_request));
  EXPECT_EQ(session.phase(), Session::Phase::Auth);
  const Bytes signature = packet(3, Bytes(64, 0x22));
  session.on_client_data(signature);
  take(session.to_server());
  session.on_server_data(packet(4, ok_payload()));
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionHandshake, ComQuitPipelinedBehindTheResponseWaitsForTheOk) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  const Bytes response = packet(1, response_payload(kClientCapabilities));
  const Bytes quit = {0x01, 0x00, 0x00, 0x00, 0x01};
  session.on_client_data(concat({response, quit}));
  EXPECT_EQ(take(session.to_server()), response);
  session.on_server_data(packet(2, ok_payload()));
  EXPECT_EQ(take(session.to_server()), quit);
  EXPECT_EQ(session.phase(), Session::Phase::Quitting);
  EXPECT_EQ(session.close_reason(), CloseReason::ClientQuit);
}

TEST(SessionHandshake, CachingSha2FastAuthSendsTwoServerPacketsInARow) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(concat({packet(2, Bytes{0x01, 0x03}), packet(3, ok_payload())}));
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionHandshake, WrongPasswordIsForwardedAndEndsTheSession) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  take(session.to_client());
  const Bytes denied = packet(2, err_payload(1045, "Access denied for user 'app'@'localhost'"));
  session.on_server_data(denied);
  EXPECT_EQ(take(session.to_client()), denied);
  EXPECT_EQ(session.close_reason(), CloseReason::AuthFailed);
  EXPECT_TRUE(session.close_client());
  EXPECT_NE(session.close_detail().find("1045"), std::string::npos);
}

TEST(SessionHandshake, ServerRefusalInPlaceOfTheGreetingReachesTheClient) {
  ScriptedSession session;
  session.on_upstream_connected();
  Bytes refusal;
  protocol::encode_err({1040, "08004", "Too many connections"}, 0, refusal);
  session.on_server_data(packet(0, refusal));
  EXPECT_EQ(take(session.to_client()), packet(0, refusal));
  EXPECT_EQ(session.close_reason(), CloseReason::ServerClosed);
}

TEST(SessionHandshake, UnreachableUpstreamGivesTheClientAConnectError) {
  ScriptedSession session;
  session.on_upstream_unreachable("'127.0.0.1:1' (connection refused)");
  const Bytes sent = take(session.to_client());
  auto err = protocol::decode_err(ByteView(sent).subspan(4), cap::kProtocol41);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, kUpstreamUnreachableError);
  EXPECT_EQ(err->sql_state, "08001");
  EXPECT_EQ(err->message, "Can't connect to MySQL server on '127.0.0.1:1' (connection refused)");
  EXPECT_EQ(session.close_reason(), CloseReason::UpstreamUnreachable);
}

TEST(SessionHandshake, SslRequestIsRefusedWithAClearError) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  take(session.to_client());
  protocol::SslRequest ssl{kClientCapabilities | cap::kSsl, 1 << 24, 45};
  Bytes payload;
  protocol::encode_ssl_request(ssl, payload);
  session.on_client_data(packet(1, payload));
  EXPECT_TRUE(session.to_server().empty());
  const Bytes sent = take(session.to_client());
  auto err = protocol::decode_err(ByteView(sent).subspan(4), cap::kProtocol41);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1043);
  EXPECT_EQ(err->sql_state, "08S01");
  // TLS is what gracewire cannot follow yet: close_kind "unsupported", not a malformed packet.
  EXPECT_EQ(session.close_reason(), CloseReason::Unsupported);
}

TEST(SessionHandshake, ClientLeavingBeforeAuthenticationIsAHandshakeAbort) {
  ScriptedSession session;
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload()));
  session.on_client_eof();
  EXPECT_EQ(session.close_reason(), CloseReason::HandshakeAbort);
  EXPECT_TRUE(session.close_server());
}

}  // namespace
}  // namespace gw::session
