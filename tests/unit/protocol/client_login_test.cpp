#include "protocol/client_login.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/auth.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/native_password.h"

namespace gw::protocol::testing {
namespace {

// Captured (the same greeting as handshake_test.cpp): MariaDB 10.11.19 without TLS, connection
// id 5, charset latin1, CLIENT_MYSQL clear, extended capabilities 0x1d.
const Bytes kGreetingMariadb = {
    0x0a, 0x35, 0x2e, 0x35, 0x2e, 0x35, 0x2d, 0x31, 0x30, 0x2e, 0x31, 0x31, 0x2e, 0x31, 0x39,
    0x2d, 0x4d, 0x61, 0x72, 0x69, 0x61, 0x44, 0x42, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62, 0x31,
    0x32, 0x75, 0x31, 0x00, 0x05, 0x00, 0x00, 0x00, 0x47, 0x47, 0x6c, 0x6e, 0x61, 0x7c, 0x6b,
    0x23, 0x00, 0xfe, 0xf7, 0x08, 0x02, 0x00, 0xff, 0x81, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1d, 0x00, 0x00, 0x00, 0x6a, 0x6e, 0x6a, 0x48, 0x67, 0x50, 0x3b, 0x75, 0x5b, 0x49,
    0x3b, 0x2d, 0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65,
    0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00,
};
const std::string kGreetingScramble = unhex("47476c6e617c6b236a6e6a4867503b755b493b2d");
// Captured (response_test.cpp): the OK after PyMySQL's login, status autocommit.
const Bytes kOkAfterAuth = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
// Captured (response_test.cpp): wrong password.
const Bytes kErr1045 = {
    0xff, 0x15, 0x04, 0x23, 0x32, 0x38, 0x30, 0x30, 0x30, 0x41, 0x63, 0x63, 0x65, 0x73,
    0x73, 0x20, 0x64, 0x65, 0x6e, 0x69, 0x65, 0x64, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x75,
    0x73, 0x65, 0x72, 0x20, 0x27, 0x67, 0x77, 0x27, 0x40, 0x27, 0x31, 0x32, 0x37, 0x2e,
    0x30, 0x2e, 0x30, 0x2e, 0x31, 0x27, 0x20, 0x28, 0x75, 0x73, 0x69, 0x6e, 0x67, 0x20,
    0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x3a, 0x20, 0x59, 0x45, 0x53, 0x29,
};
// Captured (response_test.cpp): max_connections reached, sent in place of the greeting.
const Bytes kErr1040 = {
    0xff, 0x10, 0x04, 0x23, 0x30, 0x38, 0x30, 0x30, 0x34, 0x54, 0x6f, 0x6f, 0x20, 0x6d, 0x61,
    0x6e, 0x79, 0x20, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x69, 0x6f, 0x6e, 0x73,
};
// Captured (auth_test.cpp): switches to client_ed25519 and to mysql_native_password.
const Bytes kSwitchToEd25519 = {
    0xfe, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x65, 0x64, 0x32, 0x35, 0x35, 0x31, 0x39, 0x00,
    0x3e, 0x61, 0x31, 0xfe, 0xca, 0xc1, 0x3a, 0xc8, 0xc5, 0xfe, 0x9d, 0xe8, 0x42, 0x67, 0xd9, 0x54,
    0xad, 0x44, 0x11, 0x2c, 0x4b, 0x57, 0x83, 0x50, 0xc6, 0x0b, 0x84, 0x70, 0xc0, 0x5c, 0x36, 0xda,
};
const Bytes kSwitchToNative = {
    0xfe, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70,
    0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00, 0x74, 0x5e, 0x59, 0x24, 0x44, 0x6a, 0x68,
    0x4e, 0x2c, 0x30, 0x4a, 0x63, 0x35, 0x7b, 0x2f, 0x74, 0x7c, 0x33, 0x27, 0x67, 0x00,
};
const std::string kSwitchScramble = unhex("745e5924446a684e2c304a63357b2f747c332767");

constexpr std::uint64_t kExpectedCaps = cap::kLongFlag | cap::kProtocol41 | cap::kTransactions |
                                        cap::kSecureConnection | cap::kPluginAuth;

Greeting captured_greeting() {
  auto greeting = decode_greeting(kGreetingMariadb);
  EXPECT_TRUE(greeting);
  return greeting.value_or(Greeting{});
}

// The response as Session::authenticate_and_quit() and ControlSession each built it by hand
// before ClientLogin: the behaviour login_response_payload must keep.
Bytes response_built_by_hand(const Greeting& greeting, std::string user,
                             const std::string& password) {
  HandshakeResponse response;
  response.capabilities =
      greeting.capabilities & (cap::kMysql | cap::kLongFlag | cap::kProtocol41 |
                               cap::kTransactions | cap::kSecureConnection | cap::kPluginAuth);
  response.max_packet_size = 16 * 1024 * 1024;
  response.charset = greeting.charset;
  response.user = std::move(user);
  response.auth_response = native_password_response(password, greeting.auth_data);
  response.auth_plugin = std::string(kNativePasswordPlugin);
  response.has_auth_plugin = true;
  Bytes payload;
  encode_handshake_response(response, payload);
  return payload;
}

Bytes framed(std::uint8_t sequence_id, ByteView payload) {
  Bytes out;
  append_message(payload, sequence_id, out);
  return out;
}

// Feeds the captured greeting; returns what the login sent.
Bytes greet(ClientLogin& login) {
  Bytes sent;
  EXPECT_TRUE(login.on_message(0, kGreetingMariadb, sent));
  EXPECT_EQ(login.state(), ClientLogin::State::Auth);
  return sent;
}

TEST(LoginResponse, IsTheResponseBothCallersBuiltByHand) {
  const Greeting greeting = captured_greeting();
  const Bytes payload = login_response_payload(greeting, {.user = "gw_control", .password = "pw"});
  EXPECT_EQ(hex_of(payload), hex_of(response_built_by_hand(greeting, "gw_control", "pw")));
  // Against MySQL (CLIENT_MYSQL set) the bit survives, as it did.
  Greeting mysql = greeting;
  mysql.capabilities |= cap::kMysql;
  EXPECT_EQ(hex_of(login_response_payload(mysql, {.user = "u", .password = ""})),
            hex_of(response_built_by_hand(mysql, "u", "")));
}

TEST(LoginResponse, AsksForTheMaskIntersectedWithTheGreeting) {
  const Greeting greeting = captured_greeting();
  EXPECT_EQ(client_login_capabilities(greeting, false), kExpectedCaps);
  EXPECT_EQ(client_login_capabilities(greeting, true), kExpectedCaps | cap::kConnectWithDb);
  auto response = decode_handshake_response(
      login_response_payload(greeting, {.user = "gw", .password = "pw", .schema = "shop"}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->capabilities, kExpectedCaps | cap::kConnectWithDb);
  EXPECT_EQ(response->max_packet_size, 16u * 1024 * 1024);
  EXPECT_EQ(response->charset, 8);
  EXPECT_EQ(response->user, "gw");
  EXPECT_EQ(response->schema, "shop");
  EXPECT_EQ(response->auth_response, native_password_response("pw", kGreetingScramble));
  EXPECT_EQ(response->auth_plugin, "mysql_native_password");
  // A server that does not offer a bit does not get it.
  Greeting old = greeting;
  old.capabilities &= ~cap::kPluginAuth;
  EXPECT_EQ(client_login_capabilities(old, false), kExpectedCaps & ~cap::kPluginAuth);
}

TEST(ClientLogin, AnswersTheCapturedGreetingAndLogsInOnOk) {
  ClientLogin login("gw_control", "pw");
  const Bytes sent = greet(login);
  EXPECT_EQ(sent, framed(1, response_built_by_hand(captured_greeting(), "gw_control", "pw")));
  ASSERT_TRUE(login.greeting());
  EXPECT_EQ(login.greeting()->connection_id, 5u);
  EXPECT_EQ(login.capabilities(), kExpectedCaps);
  Bytes more;
  ASSERT_TRUE(login.on_message(2, kOkAfterAuth, more));
  EXPECT_TRUE(more.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::LoggedIn);
  EXPECT_FALSE(login.switched());
  EXPECT_TRUE(login.failure().empty());
  // Nothing more belongs to the login.
  EXPECT_EQ(login.on_message(3, kOkAfterAuth, more).error(), codec_errc::unexpected_message);
}

// The captured greeting as the same server sends it with TLS configured: CLIENT_SSL (bit 11) set
// in the lower capability bytes (0xf7fe -> 0xfffe), nothing else changed.
Bytes greeting_offering_tls() {
  Bytes greeting = kGreetingMariadb;
  EXPECT_EQ(greeting[48], 0xf7);
  greeting[48] = 0xff;
  return greeting;
}

TEST(ClientLoginTls, AnOfferedTlsStartsWithTheSslRequestAndTheResponseFollowsInsideIt) {
  ClientLogin login("gw_control", "pw", {}, LoginTls::IfOffered);
  Bytes sent;
  ASSERT_TRUE(login.on_message(0, greeting_offering_tls(), sent));
  EXPECT_EQ(login.state(), ClientLogin::State::StartTls);
  EXPECT_TRUE(login.uses_tls());
  EXPECT_FALSE(login.ended());
  // Sequence id 1, 32 bytes: the SSLRequest, with the response's capabilities plus CLIENT_SSL.
  ASSERT_EQ(sent.size(), 4 + kSslRequestSize);
  EXPECT_EQ(sent[3], 1);
  const ByteView request(sent.data() + 4, kSslRequestSize);
  ASSERT_TRUE(is_ssl_request(request));
  auto decoded = decode_ssl_request(request);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->capabilities, kExpectedCaps | cap::kSsl);
  EXPECT_EQ(decoded->max_packet_size, kClientLoginMaxPacket);
  EXPECT_EQ(decoded->charset, captured_greeting().charset);

  Bytes inside;
  login.continue_in_tls(inside);
  EXPECT_EQ(login.state(), ClientLogin::State::Auth);
  ASSERT_GT(inside.size(), 4u);
  EXPECT_EQ(inside[3], 2);  // the TLS handshake does not count: the response is the second
  auto response = decode_handshake_response(ByteView(inside.data() + 4, inside.size() - 4));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->capabilities, kExpectedCaps | cap::kSsl);
  EXPECT_EQ(response->user, "gw_control");
  EXPECT_EQ(response->auth_response, native_password_response("pw", kGreetingScramble));
  // The server's OK follows as sequence id 3.
  Bytes more;
  ASSERT_TRUE(login.on_message(3, kOkAfterAuth, more));
  EXPECT_EQ(login.state(), ClientLogin::State::LoggedIn);
  EXPECT_TRUE(more.empty());
}

TEST(ClientLoginTls, APlaintextMessageWhereTheTlsHandshakeBelongsFails) {
  ClientLogin login("gw_control", "pw", {}, LoginTls::Require);
  Bytes sent;
  ASSERT_TRUE(login.on_message(0, greeting_offering_tls(), sent));
  Bytes nothing;
  EXPECT_EQ(login.on_message(2, kOkAfterAuth, nothing).error(), codec_errc::unexpected_message);
  EXPECT_EQ(login.state(), ClientLogin::State::Failed);
  login.continue_in_tls(nothing);
  EXPECT_TRUE(nothing.empty());
}

TEST(ClientLoginTls, IfOfferedLogsInPlainWhenTheServerOffersNoTls) {
  ClientLogin login("gw_control", "pw", {}, LoginTls::IfOffered);
  const Bytes sent = greet(login);
  EXPECT_EQ(sent, framed(1, response_built_by_hand(captured_greeting(), "gw_control", "pw")));
  EXPECT_FALSE(login.uses_tls());
}

TEST(ClientLoginTls, RequiredTlsFailsAgainstAServerWithoutItBeforeAnyCredentials) {
  ClientLogin login("gw_control", "pw", {}, LoginTls::Require);
  Bytes sent;
  ASSERT_TRUE(login.on_message(0, kGreetingMariadb, sent));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::Refused);  // retried rarely, as a wrong password
  EXPECT_NE(login.failure().find("does not offer TLS"), std::string::npos) << login.failure();
  EXPECT_NE(login.failure().find("upstream.tls_mode"), std::string::npos) << login.failure();
}

TEST(ClientLoginTls, OffIgnoresAnOfferedTls) {
  ClientLogin login("gw_control", "pw");
  Bytes sent;
  ASSERT_TRUE(login.on_message(0, greeting_offering_tls(), sent));
  EXPECT_EQ(login.state(), ClientLogin::State::Auth);
  EXPECT_EQ(sent[3], 1);
  auto response = decode_handshake_response(ByteView(sent.data() + 4, sent.size() - 4));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->capabilities & cap::kSsl, 0u);
}

TEST(ClientLogin, AnswersASwitchToNativePasswordAndRemembersIt) {
  ClientLogin login("gw_control", "pw");
  greet(login);
  Bytes sent;
  ASSERT_TRUE(login.on_message(2, kSwitchToNative, sent));
  EXPECT_EQ(sent, framed(3, as_bytes(native_password_response("pw", kSwitchScramble))));
  EXPECT_EQ(login.state(), ClientLogin::State::Auth);
  EXPECT_TRUE(login.switched());
  ASSERT_TRUE(login.on_message(4, kOkAfterAuth, sent));
  EXPECT_EQ(login.state(), ClientLogin::State::LoggedIn);
  EXPECT_TRUE(login.switched());
}

TEST(ClientLogin, AnErrIsARefusalThatKeepsTheErrButNoSecret) {
  ClientLogin login("gw", "topsecret");
  greet(login);
  Bytes sent;
  ASSERT_TRUE(login.on_message(2, kErr1045, sent));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::Refused);
  ASSERT_TRUE(login.error());
  EXPECT_EQ(login.error()->code, 1045);
  EXPECT_EQ(login.error()->sql_state, "28000");
  EXPECT_EQ(login.failure(),
            "login refused: ERR 1045 (28000): Access denied for user 'gw'@'127.0.0.1' (using "
            "password: YES)");
  EXPECT_EQ(login.failure().find("topsecret"), std::string::npos);
}

TEST(ClientLogin, AnErrInPlaceOfTheGreetingFailsWithoutARefusal) {
  ClientLogin login("gw", "pw");
  Bytes sent;
  ASSERT_TRUE(login.on_message(0, kErr1040, sent));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::Failed);  // transient: may be retried
  ASSERT_TRUE(login.error());
  EXPECT_EQ(login.error()->code, 1040);
  EXPECT_EQ(login.failure(), "the server refused the connection: ERR 1040: Too many connections");
}

TEST(ClientLogin, AnotherPluginIsRefusedByName) {
  ClientLogin login("gw_ed", "topsecret");
  greet(login);
  Bytes sent;
  ASSERT_TRUE(login.on_message(2, kSwitchToEd25519, sent));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::Refused);
  EXPECT_EQ(login.failure(),
            "unsupported plugin client_ed25519 (gracewire speaks mysql_native_password)");
  EXPECT_FALSE(login.error());
}

TEST(ClientLogin, AuthMoreDataIsUnsupportedForNow) {
  ClientLogin login("gw", "pw");
  greet(login);
  Bytes more;
  encode_auth_more_data({"\x04"}, more);  // caching_sha2_password: "send the password"
  Bytes sent;
  ASSERT_TRUE(login.on_message(2, more, sent));
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(login.state(), ClientLogin::State::Failed);
  EXPECT_NE(login.failure().find("AuthMoreData"), std::string::npos);
}

TEST(ClientLogin, ChecksSequenceIds) {
  ClientLogin greeting_late("gw", "pw");
  Bytes sent;
  EXPECT_EQ(greeting_late.on_message(1, kGreetingMariadb, sent).error(),
            session_errc::bad_sequence);
  EXPECT_EQ(greeting_late.state(), ClientLogin::State::Failed);
  EXPECT_NE(greeting_late.failure().find("bad packet from the server"), std::string::npos);
  EXPECT_TRUE(sent.empty());

  ClientLogin reply_early("gw", "pw");
  greet(reply_early);
  EXPECT_EQ(reply_early.on_message(1, kOkAfterAuth, sent).error(), session_errc::bad_sequence);
  EXPECT_EQ(reply_early.state(), ClientLogin::State::Failed);

  // After a switch the answer took sequence id 3: the verdict comes with 4.
  ClientLogin switched("gw", "pw");
  greet(switched);
  ASSERT_TRUE(switched.on_message(2, kSwitchToNative, sent));
  EXPECT_EQ(switched.on_message(3, kOkAfterAuth, sent).error(), session_errc::bad_sequence);
}

TEST(ClientLogin, MalformedRepliesFail) {
  const struct {
    const char* name;
    Bytes bytes;
  } cases[] = {
      {"unknown first byte", {0x42, 0x00}},
      {"OK with a bad length", {0x00, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00}},
      {"MySQL's old auth switch", {0xfe}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ClientLogin login("gw", "pw");
    greet(login);
    Bytes sent;
    auto handled = login.on_message(2, c.bytes, sent);
    EXPECT_EQ(login.state(), ClientLogin::State::Failed);
    EXPECT_TRUE(sent.empty());
    if (c.bytes[0] == 0x42) {
      EXPECT_TRUE(handled);  // a packet of no known kind: a failure with a reason
      EXPECT_NE(login.failure().find("0x42"), std::string::npos);
    } else {
      EXPECT_FALSE(handled);
    }
  }
}

TEST(ClientLogin, EveryStrictPrefixIsNeedMoreAndChangesNothing) {
  ClientLogin login("gw", "pw");
  Bytes sent;
  for (std::size_t n = 0; n < kGreetingMariadb.size(); ++n) {
    auto handled = login.on_message(0, ByteView(kGreetingMariadb).first(n), sent);
    ASSERT_FALSE(handled) << n;
    EXPECT_EQ(handled.error(), codec_errc::need_more) << n;
    EXPECT_EQ(login.state(), ClientLogin::State::Greeting);
  }
  EXPECT_TRUE(sent.empty());
  greet(login);
  for (const Bytes* reply : {&kOkAfterAuth, &kErr1045}) {
    // The ERR's message is string<EOF>: past the sql_state its prefixes are whole ERRs.
    const std::size_t cut = reply == &kErr1045 ? 9 : reply->size();
    for (std::size_t n = 0; n < cut; ++n) {
      auto handled = login.on_message(2, ByteView(*reply).first(n), sent);
      ASSERT_FALSE(handled) << n;
      EXPECT_EQ(handled.error(), codec_errc::need_more) << n;
      EXPECT_EQ(login.state(), ClientLogin::State::Auth);
    }
  }
  ASSERT_TRUE(login.on_message(2, kOkAfterAuth, sent));
  EXPECT_EQ(login.state(), ClientLogin::State::LoggedIn);
}

}  // namespace
}  // namespace gw::protocol::testing
