#pragma once
// Connection-phase messages: the server's greeting, the client's SSLRequest and
// HandshakeResponse41.
//
// Initial Handshake Packet, protocol version 10 (MySQL source docs
// "page_protocol_connection_phase_packets_protocol_handshake_v10"; MariaDB KB "Connection",
// section "Initial handshake packet"):
//   int<1>      protocol_version      always 10; 0xFF here means the server sent an ERR instead
//   string<NUL> server_version        MariaDB 10.x prefixes "5.5.5-" for old replication clients
//   int<4>      connection_id
//   string<8>   auth_data part 1      first 8 bytes of the scramble
//   int<1>      filler                0x00
//   int<2>      capabilities, bits 0..15
//   int<1>      charset               the server's default collation id
//   int<2>      status                server status flags
//   int<2>      capabilities, bits 16..31
//   int<1>      auth_data_length      scramble length + 1 when CLIENT_PLUGIN_AUTH, else 0
//   string<6>   filler                zeros
//   int<4>      MariaDB extended capabilities (bits 32..63) when CLIENT_MYSQL (bit 0) is clear;
//               filler (zeros) on MySQL, which sets CLIENT_MYSQL ("long password")
//   if CLIENT_SECURE_CONNECTION:
//     string<n> auth_data part 2      n = max(13, auth_data_length - 8); the last byte is a NUL
//   if CLIENT_PLUGIN_AUTH:
//     string<NUL> auth_plugin         e.g. "mysql_native_password"
//
// Decoding is lenient where servers differ harmlessly: filler bytes are not checked and bytes
// after the plugin name are ignored. encode_greeting() writes zeros for filler and derives
// auth_data_length from auth_data, which reproduces every MySQL >= 5.5 and MariaDB greeting
// byte for byte (they all send a 20-byte scramble with length byte 21). A plugin name without
// its NUL (MySQL 5.5.7..5.5.10) is need_more: the codec cannot tell it from a cut message.
//
// SSLRequest (MySQL "page_protocol_connection_phase_packets_protocol_ssl_request"): the first
// 32 bytes of a HandshakeResponse41 with CLIENT_SSL set, and nothing after them.
//
// HandshakeResponse41 (MySQL "page_protocol_connection_phase_packets_protocol_handshake_response";
// MariaDB KB "Connection", section "Handshake response packet"):
//   int<4>      capabilities, bits 0..31     CLIENT_PROTOCOL_41 must be set (a 320 response,
//                                            with 2-byte capabilities, is `unsupported`)
//   int<4>      max_packet_size
//   int<1>      charset
//   string<19>  filler                       zeros
//   int<4>      MariaDB extended capabilities when CLIENT_MYSQL is clear; filler otherwise
//   string<NUL> user
//   if CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA:  string<lenenc> auth_response
//   else if CLIENT_SECURE_CONNECTION:          int<1> length, string<length> auth_response
//   else:                                      string<NUL> auth_response
//   if CLIENT_CONNECT_WITH_DB:  string<NUL> schema
//   if CLIENT_PLUGIN_AUTH:      string<NUL> auth_plugin
//   if CLIENT_CONNECT_ATTRS:    int<lenenc> length of the block, then pairs of
//                               string<lenenc> key, string<lenenc> value filling it exactly
//   if CLIENT_ZSTD_COMPRESSION_ALGORITHM (MySQL 8.0.18+): int<1> zstd compression level
//
// The servers accept a response that ends after auth_response even when later capability bits
// are set (MariaDB then assumes mysql_native_password). So the fields after auth_response are
// optional at the end of the payload: has_schema / has_auth_plugin / has_attributes say which
// were present and encode writes exactly those. A field that has started must be complete.
// Capability bits are the client's own, as sent (the codec does not intersect them with the
// server's).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

struct Greeting {  // Initial Handshake Packet, protocol version 10
  std::uint8_t protocol_version = 10;
  std::string server_version;
  std::uint32_t connection_id = 0;
  std::string auth_data;  // scramble: part 1 (8 bytes) + part 2 joined, without the trailing NUL
  std::uint64_t capabilities = 0;  // low 32 bits + MariaDB extended caps when cap::kMysql is clear
  std::uint8_t charset = 0;
  std::uint16_t status = 0;
  std::string auth_plugin;  // empty when CLIENT_PLUGIN_AUTH is not set
  friend bool operator==(const Greeting&, const Greeting&) = default;
};

// need_more when cut short; unexpected_message when the payload is an ERR packet (0xFF: the
// server refused the connection, decode it with decode_err(payload, 0)); unsupported for a
// protocol version other than 10.
[[nodiscard]] Result<Greeting> decode_greeting(ByteView payload);
// Appends the payload (no frame header). auth_data should hold at least 8 bytes (part 1 is
// zero-padded otherwise) and at most 254; extended capabilities are dropped when cap::kMysql is
// set.
void encode_greeting(const Greeting& greeting, gw::Bytes& out);

using ConnectAttributes = std::vector<std::pair<std::string, std::string>>;

struct HandshakeResponse {         // HandshakeResponse41
  std::uint64_t capabilities = 0;  // incl. MariaDB extended caps when cap::kMysql is clear
  std::uint32_t max_packet_size = 0;
  std::uint8_t charset = 0;
  std::string user;
  std::string auth_response;     // raw bytes
  std::string schema;            // only when CLIENT_CONNECT_WITH_DB
  std::string auth_plugin;       // only when CLIENT_PLUGIN_AUTH
  ConnectAttributes attributes;  // CLIENT_CONNECT_ATTRS, order kept
  // Which optional fields were on the wire, so encode reproduces the input exactly. Encode
  // writes a field only when its capability bit and its flag are both set, and stops at the
  // first field whose bit is set but whose flag is not (the wire has no way to skip one).
  bool has_schema = false, has_auth_plugin = false, has_attributes = false;
  std::optional<std::uint8_t> zstd_compression_level;  // CLIENT_ZSTD_COMPRESSION_ALGORITHM
  friend bool operator==(const HandshakeResponse&, const HandshakeResponse&) = default;
};

// An SSLRequest is the first 32 bytes of a HandshakeResponse41 with CLIENT_SSL set and nothing
// after.
inline constexpr std::size_t kSslRequestSize = 32;
// True for exactly 32 bytes with CLIENT_PROTOCOL_41 and CLIENT_SSL set.
[[nodiscard]] bool is_ssl_request(ByteView payload);
// An SSLRequest passed here is need_more: it is a strict prefix of a response.
[[nodiscard]] Result<HandshakeResponse> decode_handshake_response(ByteView payload);
// auth_response longer than 255 bytes needs CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA (or a client
// without CLIENT_SECURE_CONNECTION); with the 1-byte length it is cut to 255 bytes.
void encode_handshake_response(const HandshakeResponse& response, gw::Bytes& out);

struct SslRequest {
  std::uint64_t capabilities = 0;  // incl. MariaDB extended caps when cap::kMysql is clear
  std::uint32_t max_packet_size = 0;
  std::uint8_t charset = 0;
  friend bool operator==(const SslRequest&, const SslRequest&) = default;
};

// unexpected_message when CLIENT_SSL is clear, unsupported without CLIENT_PROTOCOL_41,
// trailing_bytes past 32 bytes (that is a HandshakeResponse41).
[[nodiscard]] Result<SslRequest> decode_ssl_request(ByteView payload);
void encode_ssl_request(const SslRequest& request, gw::Bytes& out);

}  // namespace gw::protocol
