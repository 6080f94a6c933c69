#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include "codec_test_support.h"
#include "core/errors.h"
#include "protocol/constants.h"
#include "protocol/response.h"

namespace gw::protocol::testing {
namespace {

// ---- Greetings -------------------------------------------------------------------------------

// Captured: the greeting every client got from MariaDB 10.11.19 without TLS. Note the "5.5.5-"
// version prefix, CLIENT_MYSQL clear and the extended capability word 0x1d in the reserved
// area (progress, bulk operations, extended metadata, cache metadata).
const Bytes kGreetingMariadb = {
    0x0a, 0x35, 0x2e, 0x35, 0x2e, 0x35, 0x2d, 0x31, 0x30, 0x2e, 0x31, 0x31, 0x2e, 0x31, 0x39,
    0x2d, 0x4d, 0x61, 0x72, 0x69, 0x61, 0x44, 0x42, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62, 0x31,
    0x32, 0x75, 0x31, 0x00, 0x05, 0x00, 0x00, 0x00, 0x47, 0x47, 0x6c, 0x6e, 0x61, 0x7c, 0x6b,
    0x23, 0x00, 0xfe, 0xf7, 0x08, 0x02, 0x00, 0xff, 0x81, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1d, 0x00, 0x00, 0x00, 0x6a, 0x6e, 0x6a, 0x48, 0x67, 0x50, 0x3b, 0x75, 0x5b, 0x49,
    0x3b, 0x2d, 0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65,
    0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00,
};

// Captured: the same server restarted with --ssl-cert/--ssl-key: CLIENT_SSL (0x0800) appears.
const Bytes kGreetingMariadbSsl = {
    0x0a, 0x35, 0x2e, 0x35, 0x2e, 0x35, 0x2d, 0x31, 0x30, 0x2e, 0x31, 0x31, 0x2e, 0x31, 0x39,
    0x2d, 0x4d, 0x61, 0x72, 0x69, 0x61, 0x44, 0x42, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62, 0x31,
    0x32, 0x75, 0x31, 0x00, 0x03, 0x00, 0x00, 0x00, 0x5e, 0x68, 0x70, 0x77, 0x29, 0x5f, 0x26,
    0x3f, 0x00, 0xfe, 0xff, 0x08, 0x02, 0x00, 0xff, 0x81, 0x15, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x1d, 0x00, 0x00, 0x00, 0x49, 0x32, 0x5b, 0x57, 0x24, 0x4b, 0x2d, 0x3d, 0x2e, 0x6a,
    0x50, 0x31, 0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65,
    0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00,
};

// Hand-built after MySQL 8.0: CLIENT_MYSQL set, so the 4 reserved bytes are filler.
const Bytes kGreetingMysql8 = cat(Bytes{0x0a}, "8.0.36", Bytes{0x00},  // version 10, server version
                                  Bytes{0x0d, 0x00, 0x00, 0x00},       // connection id 13
                                  "ABCDEFGH", Bytes{0x00},             // scramble part 1, filler
                                  Bytes{0xff, 0xff, 0xff, 0x02, 0x00},  // caps low, charset, status
                                  Bytes{0xff, 0xdf, 0x15},              // caps high, auth length 21
                                  Bytes(10, 0x00),                      // reserved
                                  "IJKLMNOPQRST", Bytes{0x00},          // scramble part 2
                                  "caching_sha2_password", Bytes{0x00});

// Hand-built after MySQL 5.1: no CLIENT_PLUGIN_AUTH, so auth_data_length is 0 and no plugin.
const Bytes kGreetingMysql51 =
    cat(Bytes{0x0a}, "5.1.73", Bytes{0x00}, Bytes{0x07, 0x00, 0x00, 0x00}, "ABCDEFGH", Bytes{0x00},
        Bytes{0xff, 0xf7, 0x08, 0x02, 0x00}, Bytes{0x00, 0x00, 0x00}, Bytes(10, 0x00),
        "IJKLMNOPQRST", Bytes{0x00});

struct GreetingCase {
  const char* name;
  const Bytes& bytes;
  Greeting value;
};

const GreetingCase kGreetings[] = {
    {"captured MariaDB 10.11",
     kGreetingMariadb,
     {10, "5.5.5-10.11.19-MariaDB-0+deb12u1", 5, unhex("47476c6e617c6b236a6e6a4867503b755b493b2d"),
      0x0000001d'81fff7feULL, 8, 2, "mysql_native_password"}},
    {"captured MariaDB 10.11 with TLS",
     kGreetingMariadbSsl,
     {10, "5.5.5-10.11.19-MariaDB-0+deb12u1", 3, unhex("5e687077295f263f49325b57244b2d3d2e6a5031"),
      0x0000001d'81fffffeULL, 8, 2, "mysql_native_password"}},
    {"hand-built MySQL 8.0",
     kGreetingMysql8,
     {10, "8.0.36", 13, "ABCDEFGHIJKLMNOPQRST", 0xdfffffffULL, 0xff, 2, "caching_sha2_password"}},
    {"hand-built MySQL 5.1",
     kGreetingMysql51,
     {10, "5.1.73", 7, "ABCDEFGHIJKLMNOPQRST", 0xf7ffULL, 8, 2, ""}},
};

TEST(Greeting, DecodesAndEncodesEveryVector) {
  for (const auto& c : kGreetings) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_greeting, encode_greeting);
  }
}

TEST(Greeting, MariadbExtendedCapabilitiesComeFromTheReservedArea) {
  auto greeting = decode_greeting(kGreetingMariadb);
  ASSERT_TRUE(greeting);
  EXPECT_EQ(greeting->capabilities & cap::kMysql, 0u);
  EXPECT_NE(greeting->capabilities & cap::kMariadbProgress, 0u);
  EXPECT_NE(greeting->capabilities & cap::kMariadbCacheMetadata, 0u);
  EXPECT_EQ(greeting->capabilities & cap::kMariadbComMulti, 0u);
  EXPECT_NE(greeting->capabilities & cap::kDeprecateEof, 0u);
}

TEST(Greeting, IgnoresBytesAfterThePluginName) {
  const Bytes longer = cat(kGreetingMariadb, Bytes{0x00, 0x2a});
  auto greeting = decode_greeting(longer);
  ASSERT_TRUE(greeting);
  EXPECT_TRUE(*greeting == kGreetings[0].value);
}

// Found by tests/fuzz (handshake): without CLIENT_PLUGIN_AUTH the auth_data_length byte is filler
// (the protocol says 0), yet a non-zero one set the scramble's length, so the greeting gracewire
// re-encoded for the client carried a different scramble than the server sent.
TEST(Greeting, AuthDataLengthCountsOnlyWithPluginAuth) {
  Bytes bytes = kGreetingMysql51;
  const std::size_t length_at = 1 + 7 + 4 + 8 + 1 + 2 + 1 + 2 + 2;
  ASSERT_EQ(bytes[length_at], 0x00);
  bytes[length_at] = 30;  // would ask for a 22-byte part 2
  bytes.insert(bytes.end(), 10, 'x');
  auto greeting = decode_greeting(bytes);
  ASSERT_TRUE(greeting);
  EXPECT_EQ(greeting->auth_data, "ABCDEFGHIJKLMNOPQRST");
  Bytes again;
  encode_greeting(*greeting, again);
  auto reread = decode_greeting(again);
  ASSERT_TRUE(reread);
  EXPECT_TRUE(*reread == *greeting);
}

TEST(Greeting, DropsExtendedCapabilitiesWhenClientMysqlIsSet) {
  Greeting greeting = kGreetings[2].value;
  greeting.capabilities |= cap::kMariadbProgress;
  Bytes out;
  encode_greeting(greeting, out);
  EXPECT_EQ(hex_of(out), hex_of(kGreetingMysql8));
}

TEST(Greeting, RewrittenCapabilitiesStayInPlace) {
  // What the session layer does: take bits away and re-encode.
  Greeting greeting = kGreetings[0].value;
  greeting.capabilities &= ~(cap::kDeprecateEof | cap::kMariadbCacheMetadata);
  Bytes out;
  encode_greeting(greeting, out);
  Bytes expected = kGreetingMariadb;
  expected[53] &= 0xfe;  // capability bits 24..31: bit 24, CLIENT_DEPRECATE_EOF
  expected[61] &= 0xef;  // extended word, bits 32..39: bit 36, cache metadata
  EXPECT_EQ(hex_of(out), hex_of(expected));
}

// Hand-built: what MySQL sends instead of a greeting when the host may not connect. The server
// does not know the client's capabilities yet, so there is no SQL state.
const Bytes kErrInsteadOfGreeting =
    cat(Bytes{0xff, 0x6a, 0x04}, "Host '10.0.0.7' is not allowed to connect to this server");

TEST(Greeting, RejectsWhatIsNotAVersion10Greeting) {
  expect_error(decode_greeting({}), codec_errc::need_more);
  expect_error(decode_greeting(kErrInsteadOfGreeting), codec_errc::unexpected_message);
  expect_error(decode_greeting(Bytes{0x09, '3', '.', '2', '3', 0x00}), codec_errc::unsupported);
  auto err = decode_err(kErrInsteadOfGreeting, 0);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code, 1130);
  EXPECT_EQ(err->sql_state, "HY000");
}

// ---- SSLRequest ------------------------------------------------------------------------------

// Captured: `mariadb --ssl` against the TLS-enabled server; the TLS handshake follows.
const Bytes kSslRequestMariadbCli = {
    0x84, 0xaa, 0xbf, 0x00, 0x00, 0x00, 0x10, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00,
};

TEST(SslRequest, IsRecognisedByLengthAndFlag) {
  EXPECT_TRUE(is_ssl_request(kSslRequestMariadbCli));
  EXPECT_FALSE(is_ssl_request(ByteView(kSslRequestMariadbCli).first(31)));
  Bytes without_ssl = kSslRequestMariadbCli;
  without_ssl[1] &= ~0x08;
  EXPECT_FALSE(is_ssl_request(without_ssl));
  EXPECT_FALSE(is_ssl_request(cat(kSslRequestMariadbCli, Bytes{'u', 0x00})));
}

TEST(SslRequest, DecodesAndEncodes) {
  expect_codec(kSslRequestMariadbCli, SslRequest{0x0000001d'00bfaa84ULL, 0x100000, 33},
               decode_ssl_request, encode_ssl_request);
  Bytes without_ssl = kSslRequestMariadbCli;
  without_ssl[1] &= ~0x08;
  expect_error(decode_ssl_request(without_ssl), codec_errc::unexpected_message);
  expect_error(decode_ssl_request(cat(kSslRequestMariadbCli, Bytes{0x00})),
               codec_errc::trailing_bytes);
  // An SSLRequest is a strict prefix of a response.
  expect_error(decode_handshake_response(kSslRequestMariadbCli), codec_errc::need_more);
}

// ---- HandshakeResponse41 ---------------------------------------------------------------------

// Captured: `mariadb -ugw -psecret gwdb`: lenenc scramble (CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA),
// schema, plugin, 7 connection attributes; CLIENT_MYSQL clear, extended word 0x1d.
const Bytes kResponseMariadbCli = {
    0x8c, 0xa2, 0xbf, 0x00, 0x00, 0x00, 0x10, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00,
    0x00, 0x00, 0x67, 0x77, 0x00, 0x14, 0x56, 0x11, 0x6a, 0xe4, 0xad, 0x83, 0x42, 0x01, 0x8e,
    0x9e, 0xa1, 0x73, 0xf2, 0x9e, 0xe1, 0x77, 0xd7, 0xc1, 0x58, 0x88, 0x67, 0x77, 0x64, 0x62,
    0x00, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70,
    0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64, 0x00, 0x7e, 0x03, 0x5f, 0x6f, 0x73, 0x05, 0x4c,
    0x69, 0x6e, 0x75, 0x78, 0x0c, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x6e, 0x61,
    0x6d, 0x65, 0x0a, 0x6c, 0x69, 0x62, 0x6d, 0x61, 0x72, 0x69, 0x61, 0x64, 0x62, 0x04, 0x5f,
    0x70, 0x69, 0x64, 0x04, 0x35, 0x32, 0x33, 0x36, 0x0f, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e,
    0x74, 0x5f, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x06, 0x33, 0x2e, 0x33, 0x2e, 0x32,
    0x30, 0x09, 0x5f, 0x70, 0x6c, 0x61, 0x74, 0x66, 0x6f, 0x72, 0x6d, 0x06, 0x78, 0x38, 0x36,
    0x5f, 0x36, 0x34, 0x0c, 0x70, 0x72, 0x6f, 0x67, 0x72, 0x61, 0x6d, 0x5f, 0x6e, 0x61, 0x6d,
    0x65, 0x05, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x0c, 0x5f, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72,
    0x5f, 0x68, 0x6f, 0x73, 0x74, 0x09, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31,
};

// Captured: `mariadb -ugw_ed -psecret` (no schema: CLIENT_CONNECT_WITH_DB clear).
const Bytes kResponseMariadbCliNoSchema = {
    0x84, 0xa2, 0xbf, 0x00, 0x00, 0x00, 0x10, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x00, 0x00,
    0x67, 0x77, 0x5f, 0x65, 0x64, 0x00, 0x14, 0xce, 0x8b, 0xae, 0x67, 0xf2, 0x61, 0x28, 0xfb, 0xc8,
    0x54, 0x0e, 0xd0, 0x87, 0x20, 0xdf, 0x9b, 0xcc, 0x85, 0x08, 0xcc, 0x6d, 0x79, 0x73, 0x71, 0x6c,
    0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64,
    0x00, 0x7e, 0x03, 0x5f, 0x6f, 0x73, 0x05, 0x4c, 0x69, 0x6e, 0x75, 0x78, 0x0c, 0x5f, 0x63, 0x6c,
    0x69, 0x65, 0x6e, 0x74, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x0a, 0x6c, 0x69, 0x62, 0x6d, 0x61, 0x72,
    0x69, 0x61, 0x64, 0x62, 0x04, 0x5f, 0x70, 0x69, 0x64, 0x04, 0x35, 0x33, 0x37, 0x38, 0x0f, 0x5f,
    0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x06, 0x33,
    0x2e, 0x33, 0x2e, 0x32, 0x30, 0x09, 0x5f, 0x70, 0x6c, 0x61, 0x74, 0x66, 0x6f, 0x72, 0x6d, 0x06,
    0x78, 0x38, 0x36, 0x5f, 0x36, 0x34, 0x0c, 0x70, 0x72, 0x6f, 0x67, 0x72, 0x61, 0x6d, 0x5f, 0x6e,
    0x61, 0x6d, 0x65, 0x05, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x0c, 0x5f, 0x73, 0x65, 0x72, 0x76, 0x65,
    0x72, 0x5f, 0x68, 0x6f, 0x73, 0x74, 0x09, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31,
};

// Captured: PyMySQL 1.0.2, database="gwdb", program_name="gwcap". CLIENT_MYSQL set: the
// reserved area is all zeros.
const Bytes kResponsePymysql = {
    0x0d, 0xa2, 0x3a, 0x00, 0xff, 0xff, 0xff, 0x00, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x67, 0x77, 0x00, 0x14, 0x66, 0xc3, 0x6d, 0x4c, 0x7e, 0x34, 0x67, 0x72, 0xcf, 0x3e, 0x4a, 0xda,
    0x38, 0x1f, 0x9e, 0xf2, 0xe2, 0x7b, 0x28, 0x66, 0x67, 0x77, 0x64, 0x62, 0x00, 0x6d, 0x79, 0x73,
    0x71, 0x6c, 0x5f, 0x6e, 0x61, 0x74, 0x69, 0x76, 0x65, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f,
    0x72, 0x64, 0x00, 0x48, 0x0c, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x6e, 0x61, 0x6d,
    0x65, 0x07, 0x70, 0x79, 0x6d, 0x79, 0x73, 0x71, 0x6c, 0x04, 0x5f, 0x70, 0x69, 0x64, 0x04, 0x35,
    0x34, 0x37, 0x31, 0x0f, 0x5f, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x5f, 0x76, 0x65, 0x72, 0x73,
    0x69, 0x6f, 0x6e, 0x05, 0x31, 0x2e, 0x30, 0x2e, 0x32, 0x0c, 0x70, 0x72, 0x6f, 0x67, 0x72, 0x61,
    0x6d, 0x5f, 0x6e, 0x61, 0x6d, 0x65, 0x05, 0x67, 0x77, 0x63, 0x61, 0x70,
};

// Hand-built after MySQL 8.0.18+: empty lenenc auth response, empty attribute block and the
// zstd compression level (3).
const Bytes kResponseZstd =
    cat(Bytes{0x01, 0x82, 0x38, 0x04},                                    // capabilities 0x04388201
        Bytes{0x00, 0x00, 0x00, 0x01},                                    // max_packet_size 16 MiB
        Bytes{0xff}, Bytes(23, 0x00),                                     // charset, reserved
        "u", Bytes{0x00}, Bytes{0x00},                                    // user, auth_response
        "caching_sha2_password", Bytes{0x00}, Bytes{0x00}, Bytes{0x03});  // attributes, zstd level

// Hand-built: CLIENT_SECURE_CONNECTION without the lenenc flag: a 1-byte auth length.
const Bytes kResponseOneByteAuthLength =
    cat(Bytes{0x01, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08}, Bytes(23, 0x00), "root",
        Bytes{0x00, 0x14}, "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a",
        "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14");

// Hand-built: no CLIENT_SECURE_CONNECTION: a NUL-terminated auth response.
const Bytes kResponseNulAuth = cat(Bytes{0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08},
                                   Bytes(23, 0x00), "root", Bytes{0x00}, "x", Bytes{0x00});

const ConnectAttributes kCliAttributes = {{"_os", "Linux"},
                                          {"_client_name", "libmariadb"},
                                          {"_pid", "5236"},
                                          {"_client_version", "3.3.20"},
                                          {"_platform", "x86_64"},
                                          {"program_name", "mysql"},
                                          {"_server_host", "127.0.0.1"}};

HandshakeResponse response(std::uint64_t caps, std::uint32_t max_packet, std::uint8_t charset,
                           std::string user, std::string auth) {
  HandshakeResponse r;
  r.capabilities = caps;
  r.max_packet_size = max_packet;
  r.charset = charset;
  r.user = std::move(user);
  r.auth_response = std::move(auth);
  return r;
}

HandshakeResponse cli_response() {
  auto r =
      response(kCliCaps, 0x100000, 33, "gw", unhex("56116ae4ad8342018e9ea173f29ee177d7c15888"));
  r.schema = "gwdb";
  r.has_schema = true;
  r.auth_plugin = "mysql_native_password";
  r.has_auth_plugin = true;
  r.attributes = kCliAttributes;
  r.has_attributes = true;
  return r;
}

HandshakeResponse cli_response_no_schema() {
  auto r = response(0x0000001d'00bfa284ULL, 0x100000, 33, "gw_ed",
                    unhex("ce8bae67f26128fbc8540ed08720df9bcc8508cc"));
  r.auth_plugin = "mysql_native_password";
  r.has_auth_plugin = true;
  r.attributes = kCliAttributes;
  r.attributes[2].second = "5378";
  r.has_attributes = true;
  return r;
}

HandshakeResponse pymysql_response() {
  auto r =
      response(kPymysqlCaps, 0xffffff, 45, "gw", unhex("66c36d4c7e346772cf3e4ada381f9ef2e27b2866"));
  r.schema = "gwdb";
  r.has_schema = true;
  r.auth_plugin = "mysql_native_password";
  r.has_auth_plugin = true;
  r.attributes = {{"_client_name", "pymysql"},
                  {"_pid", "5471"},
                  {"_client_version", "1.0.2"},
                  {"program_name", "gwcap"}};
  r.has_attributes = true;
  return r;
}

HandshakeResponse zstd_response() {
  auto r = response(0x04388201, 0x1000000, 0xff, "u", "");
  r.auth_plugin = "caching_sha2_password";
  r.has_auth_plugin = true;
  r.has_attributes = true;
  r.zstd_compression_level = 3;
  return r;
}

struct ResponseCase {
  const char* name;
  const Bytes& bytes;
  HandshakeResponse value;
  Prefixes prefixes = {};  // ends of auth_response / schema / plugin: complete shorter responses
};

TEST(HandshakeResponse, DecodesAndEncodesEveryVector) {
  const ResponseCase cases[] = {
      {"captured mariadb CLI", kResponseMariadbCli, cli_response(), {.complete = {56, 61, 83}}},
      {"captured mariadb CLI, no schema",
       kResponseMariadbCliNoSchema,
       cli_response_no_schema(),
       {.complete = {59, 81}}},
      {"captured PyMySQL", kResponsePymysql, pymysql_response(), {.complete = {56, 61, 83}}},
      {"hand-built zstd", kResponseZstd, zstd_response(), {.complete = {35, 57, 58}}},
      {"hand-built 1-byte auth length",
       kResponseOneByteAuthLength,
       response(0x8201, 0x1000000, 8, "root",
                "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"),
       {}},
      {"hand-built NUL-terminated auth",
       kResponseNulAuth,
       response(0x0201, 0x1000000, 8, "root", "x"),
       {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_codec(c.bytes, c.value, decode_handshake_response, encode_handshake_response,
                 c.prefixes);
  }
}

TEST(HandshakeResponse, ClearingACapabilityDropsItsField) {
  HandshakeResponse r = cli_response();
  r.capabilities &= ~cap::kConnectAttrs;
  Bytes out;
  encode_handshake_response(r, out);
  Bytes expected(kResponseMariadbCli.begin(), kResponseMariadbCli.begin() + 83);
  expected[2] &= ~0x10;  // bit 20
  EXPECT_EQ(hex_of(out), hex_of(expected));
}

TEST(HandshakeResponse, AMissingFieldEndsTheMessage) {
  // CLIENT_CONNECT_WITH_DB set but no schema: nothing after it can be written either.
  HandshakeResponse r = cli_response();
  r.has_schema = false;
  Bytes out;
  encode_handshake_response(r, out);
  EXPECT_EQ(hex_of(out), hex_of(ByteView(kResponseMariadbCli).first(56)));
}

TEST(HandshakeResponse, RejectsBrokenVectors) {
  const Bytes head41 = cat(Bytes{0x00, 0x02, 0x10, 0x00}, Bytes(28, 0x00));  // 41 + attrs
  struct Failure {
    const char* name;
    Bytes bytes;
    codec_errc error;
  } const failures[] = {
      {"3.20 response", cat(Bytes{0x05, 0x00, 0xff, 0xff, 0xff}, "root", Bytes{0x00}),
       codec_errc::unsupported},
      {"attribute pair overruns its block",
       cat(head41, "u", Bytes{0x00, 0x00}, Bytes{0x03, 0x01, 'a', 0x05}),
       codec_errc::invalid_length},
      {"auth_response length 0xFB",
       cat(Bytes{0x00, 0x02, 0x20, 0x00}, Bytes(28, 0x00), "u", Bytes{0x00, 0xfb}),
       codec_errc::invalid_value},
      {"byte after the attributes", cat(kResponsePymysql, Bytes{0x00}), codec_errc::trailing_bytes},
  };
  for (const auto& f : failures) {
    SCOPED_TRACE(f.name);
    expect_error(decode_handshake_response(f.bytes), f.error);
  }
}

}  // namespace
}  // namespace gw::protocol::testing
