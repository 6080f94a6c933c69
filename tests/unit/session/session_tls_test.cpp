// TLS in the login (session_tls.cpp): CLIENT_SSL offered, the client's SSLRequest starting TLS
// with the bytes behind it handed over, gracewire's own SSLRequest upstream, and the sequence
// ids of the two legs kept apart while only one of them is encrypted.

#include <gtest/gtest.h>

#include "core/byte_reader.h"
#include "protocol/handshake.h"
#include "session_script.h"

namespace gw::session {
namespace {

using namespace testing;

constexpr std::uint64_t kClientCapabilities = cap::kProtocol41 | cap::kTransactions |
                                              cap::kSecureConnection | cap::kPluginAuth |
                                              cap::kMultiResults;

SessionSettings with_tls(ClientTls client, ServerTls server) {
  SessionSettings settings;
  settings.client_tls = client;
  settings.server_tls = server;
  settings.handshake_credentials = ControlCredentials{"gw_control", "s3cret"};
  return settings;
}

// The header's sequence id and the payload of the one packet in `wire`.
std::pair<std::uint8_t, Bytes> only_packet(const Bytes& wire) {
  EXPECT_GE(wire.size(), protocol::kFrameHeaderSize);
  if (wire.size() < protocol::kFrameHeaderSize) return {};
  const auto header = protocol::decode_frame_header(ByteView(wire).first(4));
  EXPECT_EQ(header->payload_length + 4u, wire.size()) << "one packet";
  const ByteView payload = ByteView(wire).subspan(protocol::kFrameHeaderSize);
  return {header->sequence_id, Bytes(payload.begin(), payload.end())};
}

Bytes ssl_request(std::uint64_t capabilities) {
  Bytes out;
  protocol::encode_ssl_request({capabilities | cap::kSsl, 16 * 1024 * 1024, 45}, out);
  return out;
}

std::uint64_t greeting_capabilities(const Bytes& wire) {
  auto greeting = protocol::decode_greeting(only_packet(wire).second);
  EXPECT_TRUE(greeting);
  return greeting ? greeting->capabilities : 0;
}

// Connected and greeted by a server offering `server` capabilities; the greeting the client
// got is taken and returned.
Bytes greeted(ScriptedSession& session, std::uint64_t server = kServerCapabilities) {
  session.on_upstream_connected();
  session.on_server_data(packet(0, greeting_payload(77, server)));
  return take(session.to_client());
}

// The one ERR the client got: its sequence id and code are checked; its message is returned.
std::string expect_err(ScriptedSession& session, std::uint8_t sequence_id, std::uint16_t code) {
  auto [seq, payload] = only_packet(take(session.to_client()));
  EXPECT_EQ(seq, sequence_id);
  auto err = protocol::decode_err(payload, cap::kProtocol41);
  EXPECT_TRUE(err);
  if (!err) return {};
  EXPECT_EQ(err->code, code);
  return err->message;
}

// A ClientHello's first bytes: what follows an SSLRequest in the same read.
const Bytes kClientHelloStart = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03};

TEST(SessionTls, OfferedTlsStartsAtTheSslRequestAndTheClientsIdsRunOneAhead) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Off));
  // Offered to the client even when the server would not: gracewire terminates it.
  EXPECT_NE(greeting_capabilities(greeted(session, kServerCapabilities & ~cap::kSsl)) & cap::kSsl,
            0u);

  session.on_client_data(concat({packet(1, ssl_request(kClientCapabilities)), kClientHelloStart}));
  ASSERT_EQ(session.tls_starts().size(), 1u);
  EXPECT_EQ(session.tls_starts()[0].leg, Leg::Client);
  EXPECT_EQ(session.tls_starts()[0].early, kClientHelloStart) << "not a byte taken for a packet";
  EXPECT_TRUE(session.to_server().empty()) << "the SSLRequest is gracewire's to answer";
  EXPECT_FALSE(session.client_backlogged());
  EXPECT_TRUE(session.client_tls());

  // Inside TLS: the response is the client's packet 2, the server's packet 1, without CLIENT_SSL.
  session.on_client_data(packet(2, response_payload(kClientCapabilities | cap::kSsl)));
  auto [response_seq, response] = only_packet(take(session.to_server()));
  EXPECT_EQ(response_seq, 1);
  auto decoded = protocol::decode_handshake_response(response);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->capabilities & cap::kSsl, 0u) << "the server leg is plaintext";
  EXPECT_FALSE(session.server_tls());

  // An auth switch and its answer, then the OK: each numbered for its own leg.
  session.on_server_data(packet(2, Bytes{0xfe, 'm', 'y', 's', 'q', 'l', '_', 'o', 'l', 'd', 0}));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 3);
  session.on_client_data(packet(4, Bytes(9, 'x')));
  EXPECT_EQ(only_packet(take(session.to_server())).first, 3);
  session.on_server_data(packet(4, ok_payload()));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 5);
  EXPECT_EQ(session.phase(), Session::Phase::Idle);

  // Commands start at 0 on both legs again.
  session.on_client_data(packet(0,
                                "\x03"
                                "SELECT 1"));
  EXPECT_EQ(only_packet(take(session.to_server())).first, 0);
  session.on_server_data(packet(1, ok_payload()));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 1);
}

TEST(SessionTls, UpstreamTlsSendsAnSslRequestThenTheResponseAndTheServersIdsRunOneAhead) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Require));
  EXPECT_EQ(greeting_capabilities(greeted(session)) & cap::kSsl, 0u) << "not offered to clients";
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  ASSERT_EQ(session.tls_starts().size(), 1u);
  EXPECT_EQ(session.tls_starts()[0].leg, Leg::Server);
  EXPECT_TRUE(session.tls_starts()[0].early.empty());

  const Bytes upstream = take(session.to_server());
  const std::size_t ssl_request_size = 4 + protocol::kSslRequestSize;
  ASSERT_GT(upstream.size(), ssl_request_size);
  auto [request_seq, request] = only_packet(Bytes(upstream.begin(), upstream.begin() + 36));
  EXPECT_EQ(request_seq, 1);
  ASSERT_TRUE(protocol::is_ssl_request(request));
  auto [response_seq, response] = only_packet(Bytes(upstream.begin() + 36, upstream.end()));
  EXPECT_EQ(response_seq, 2);
  auto decoded = protocol::decode_handshake_response(response);
  ASSERT_TRUE(decoded);
  EXPECT_NE(decoded->capabilities & cap::kSsl, 0u) << "CLIENT_SSL in both, as clients send it";
  EXPECT_EQ(decoded->user, "app");

  session.on_server_data(packet(3, Bytes{0xfe, 'm', 'y', 's', 'q', 'l', '_', 'o', 'l', 'd', 0}));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 2);
  session.on_client_data(packet(3, Bytes(9, 'x')));
  EXPECT_EQ(only_packet(take(session.to_server())).first, 4);
  session.on_server_data(packet(5, ok_payload()));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 4);
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionTls, AsClientFollowsTheClientAndBothLegsNumberAlike) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::AsClient));
  greeted(session);
  session.on_client_data(packet(1, ssl_request(kClientCapabilities)));
  session.on_client_data(packet(2, response_payload(kClientCapabilities | cap::kSsl)));
  ASSERT_EQ(session.tls_starts().size(), 2u);
  EXPECT_EQ(session.tls_starts()[1].leg, Leg::Server);
  const Bytes upstream = take(session.to_server());
  EXPECT_EQ(only_packet(Bytes(upstream.begin() + 36, upstream.end())).first, 2);
  session.on_server_data(packet(3, ok_payload()));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 3);
}

TEST(SessionTls, AsClientLeavesAPlaintextClientPlaintextUpstream) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::AsClient));
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  EXPECT_TRUE(session.tls_starts().empty());
  EXPECT_EQ(only_packet(take(session.to_server())).first, 1);
}

TEST(SessionTls, RequiredRefusesAPlaintextResponseBeforeItGoesUpstream) {
  ScriptedSession session(with_tls(ClientTls::Require, ServerTls::Off));
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities, "alice")));
  expect_err(session, 2, 3159);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsRequired);
  // The upstream is ended as an abandoned handshake: the control account logs in and quits.
  const Bytes upstream = take(session.to_server());
  const std::string text(upstream.begin(), upstream.end());
  EXPECT_NE(text.find("gw_control"), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos) << "the client's login never goes upstream";
}

// The same refusal before the control connection has logged in (gracewire just started): the
// upstream waits for the control account rather than being dropped unauthenticated.
TEST(SessionTls, RequiredRefusalBeforeTheControlLoginWaitsForItsCredentials) {
  SessionSettings settings = with_tls(ClientTls::Require, ServerTls::Off);
  settings.handshake_credentials.reset();
  settings.handshake_credentials_coming = true;
  ScriptedSession session(settings);
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities, "alice")));
  expect_err(session, 2, 3159);
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_FALSE(session.close_server());
  session.offer_handshake_credentials(ControlCredentials{"gw_control", "s3cret"});
  const Bytes upstream = take(session.to_server());
  const std::string text(upstream.begin(), upstream.end());
  EXPECT_NE(text.find("gw_control"), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos) << "the client's login never goes upstream";
}

TEST(SessionTls, RequiredUpstreamTlsThatTheServerDoesNotOfferIsRefused) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Require));
  greeted(session, kServerCapabilities & ~cap::kSsl);
  session.on_client_data(packet(1, response_payload(kClientCapabilities, "alice")));
  EXPECT_NE(expect_err(session, 2, 2026).find("does not offer TLS"), std::string::npos);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsRequired);
  EXPECT_TRUE(session.tls_starts().empty());
}

TEST(SessionTls, AnSslRequestIsUnsupportedWhenTlsIsNotOffered) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Off));
  EXPECT_EQ(greeting_capabilities(greeted(session)) & cap::kSsl, 0u);
  session.on_client_data(packet(1, ssl_request(kClientCapabilities)));
  EXPECT_TRUE(session.tls_starts().empty());
  EXPECT_EQ(session.close_reason(), CloseReason::Unsupported);
}

TEST(SessionTls, AFailedServerHandshakeTellsTheClientInItsOwnNumbering) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Require));
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  take(session.to_server());
  session.on_tls_failed(Leg::Server, "certificate verify failed");
  // Numbered as the plaintext client's authentication result.
  EXPECT_NE(expect_err(session, 2, 2026).find("certificate verify failed"), std::string::npos);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsFailed);
}

TEST(SessionTls, AServerThatNeverFinishesTheTlsHandshakeIsBoundedLikeItsGreeting) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Require));
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  EXPECT_EQ(session.timer(), Timer::Greeting);
  session.on_greeting_timeout("the server did not answer inside TLS within 10000 ms");
  expect_err(session, 2, 2026);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsFailed);
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Dropped);
}

TEST(SessionTls, TheServersFirstAnswerInsideTlsLiftsThatBound) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Require));
  greeted(session);
  session.on_client_data(packet(1, response_payload(kClientCapabilities)));
  session.on_server_data(packet(3, Bytes{0xfe, 'm', 'y', 's', 'q', 'l', '_', 'o', 'l', 'd', 0}));
  EXPECT_EQ(session.timer(), Timer::None);
}

// A login over TLS from the client and plaintext to the server, with `plugin` in the response.
ScriptedSession& tls_client_plain_server(ScriptedSession& session, std::string plugin,
                                         std::string auth_response = std::string(20, 'x')) {
  greeted(session);
  session.on_client_data(packet(1, ssl_request(kClientCapabilities)));
  session.on_client_data(packet(2, response_payload(kClientCapabilities | cap::kSsl, "app",
                                                    std::move(plugin), std::move(auth_response))));
  return session;
}

std::string text_of(const Bytes& bytes) { return std::string(bytes.begin(), bytes.end()); }

TEST(SessionTls, APasswordSentInsideTlsNeverReachesAPlaintextServer) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Off));
  tls_client_plain_server(session, "mysql_native_password");
  take(session.to_server());
  // The server switches to a plugin whose answer is the password itself (PAM, LDAP).
  session.on_server_data(packet(2, std::string_view("\xfemysql_clear_password\0", 22)));
  take(session.to_client());
  session.on_client_data(packet(4, "s3cret-pw\0"));
  EXPECT_EQ(text_of(session.to_server()).find("s3cret-pw"), std::string::npos);
  EXPECT_NE(expect_err(session, 5, 2026).find("will not send a password it received over TLS"),
            std::string::npos);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsRequired);
  EXPECT_EQ(session.upstream_end(), UpstreamEnd::Dropped);
}

TEST(SessionTls, CachingSha2FullAuthenticationAcrossTlsAndPlaintextIsRefused) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Off));
  tls_client_plain_server(session, "caching_sha2_password", std::string(32, 's'));
  EXPECT_NE(text_of(session.to_server()).find(std::string(32, 's')), std::string::npos)
      << "the scramble is no secret: it goes on";
  take(session.to_server());
  session.on_server_data(packet(2, Bytes{0x01, 0x04}));  // perform full authentication
  take(session.to_client());
  session.on_client_data(packet(4, "s3cret-pw\0"));
  EXPECT_EQ(text_of(session.to_server()).find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsRequired);
}

TEST(SessionTls, CachingSha2FastAuthenticationAcrossTlsAndPlaintextGoesOn) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Off));
  tls_client_plain_server(session, "caching_sha2_password", std::string(32, 's'));
  take(session.to_server());
  session.on_server_data(packet(2, Bytes{0x01, 0x03}));  // fast authentication succeeded
  session.on_server_data(packet(3, ok_payload()));
  EXPECT_EQ(session.phase(), Session::Phase::Idle);
}

TEST(SessionTls, Sha256PasswordInTheResponseOfATlsClientNeverReachesAPlaintextServer) {
  ScriptedSession session(with_tls(ClientTls::Offer, ServerTls::Off));
  tls_client_plain_server(session, "sha256_password", "s3cret-pw");
  const std::string upstream = text_of(take(session.to_server()));
  EXPECT_EQ(upstream.find("s3cret-pw"), std::string::npos);
  EXPECT_NE(upstream.find("gw_control"), std::string::npos) << "ended as an abandoned handshake";
  expect_err(session, 3, 2026);
  EXPECT_EQ(session.close_reason(), CloseReason::TlsRequired);
}

TEST(SessionTls, APlaintextClientsPublicKeyRequestIsNotSentToATlsServer) {
  ScriptedSession session(with_tls(ClientTls::Off, ServerTls::Require));
  greeted(session);
  session.on_client_data(packet(
      1,
      response_payload(kClientCapabilities, "app", "caching_sha2_password", std::string(32, 's'))));
  take(session.to_server());
  session.on_server_data(packet(3, Bytes{0x01, 0x04}));
  EXPECT_EQ(only_packet(take(session.to_client())).first, 2);
  session.on_client_data(packet(3, Bytes{0x02}));
  EXPECT_TRUE(session.to_server().empty());
  EXPECT_NE(expect_err(session, 4, 2026).find("public key"), std::string::npos);
}

}  // namespace
}  // namespace gw::session
