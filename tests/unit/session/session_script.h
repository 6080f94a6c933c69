#pragma once
// Builders for scripted session tests: protocol messages as the wire carries them.

#include <string_view>

#include "core/bytes.h"
#include "protocol/constants.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "protocol/response.h"
#include "session/session.h"

namespace gw::session::testing {

namespace cap = protocol::cap;

// What a MariaDB 10.11 greeting offers, compression and TLS included.
inline constexpr std::uint64_t kServerCapabilities =
    cap::kLongFlag | cap::kFoundRows | cap::kConnectWithDb | cap::kCompress | cap::kLocalFiles |
    cap::kProtocol41 | cap::kSsl | cap::kTransactions | cap::kSecureConnection |
    cap::kMultiStatements | cap::kMultiResults | cap::kPsMultiResults | cap::kPluginAuth |
    cap::kConnectAttrs | cap::kPluginAuthLenencData | cap::kSessionTrack | cap::kDeprecateEof |
    cap::kMariadbProgress | cap::kMariadbStmtBulkOperations | cap::kMariadbExtendedMetadata |
    cap::kMariadbCacheMetadata;

inline constexpr std::uint8_t kQuery = static_cast<std::uint8_t>(protocol::Command::Query);
// COM_QUIT as the wire carries it.
inline const Bytes kComQuit = {0x01, 0x00, 0x00, 0x00, 0x01};

inline Bytes packet(std::uint8_t seq, ByteView payload) {
  Bytes out;
  protocol::append_message(payload, seq, out);
  return out;
}
inline Bytes packet(std::uint8_t seq, std::string_view payload) {
  return packet(seq, as_bytes(payload));
}
inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

inline Bytes greeting_payload(std::uint32_t connection_id = 42) {
  protocol::Greeting greeting;
  greeting.server_version = "5.5.5-10.11.19-MariaDB-0+deb12u1";
  greeting.connection_id = connection_id;
  greeting.auth_data = "abcdefgh123456789012";
  greeting.capabilities = kServerCapabilities;
  greeting.charset = 45;
  greeting.status = protocol::status::kAutocommit;
  greeting.auth_plugin = "mysql_native_password";
  Bytes out;
  protocol::encode_greeting(greeting, out);
  return out;
}

inline Bytes response_payload(std::uint64_t capabilities, std::string user = "app") {
  protocol::HandshakeResponse response;
  response.capabilities = capabilities;
  response.max_packet_size = 16 * 1024 * 1024;
  response.charset = 45;
  response.user = std::move(user);
  response.auth_response = std::string(20, 'x');
  response.auth_plugin = "mysql_native_password";
  response.has_auth_plugin = true;
  response.attributes = {{"_client_name", "libmariadb"}, {"program_name", "mysql"}};
  response.has_attributes = true;
  Bytes out;
  protocol::encode_handshake_response(response, out);
  return out;
}

inline Bytes ok_payload(std::uint16_t status = protocol::status::kAutocommit,
                        std::uint64_t affected = 0, std::uint8_t header = protocol::kOkHeader,
                        std::uint64_t capabilities = cap::kProtocol41 | cap::kTransactions) {
  protocol::OkPacket ok;
  ok.header = header;
  ok.status = status;
  ok.affected_rows = affected;
  Bytes out;
  protocol::encode_ok(ok, capabilities, out);
  return out;
}

inline Bytes eof_payload(std::uint16_t status = protocol::status::kAutocommit) {
  Bytes out;
  protocol::encode_eof({0, status}, out);
  return out;
}

inline Bytes err_payload(std::uint16_t code, std::string message) {
  Bytes out;
  protocol::encode_err({code, "28000", std::move(message)}, cap::kProtocol41, out);
  return out;
}

inline Bytes command(std::uint8_t cmd, std::string_view arg = {}) {
  Bytes payload{cmd};
  payload.insert(payload.end(), arg.begin(), arg.end());
  return packet(0, payload);
}

// A one-column result set's head, packets 1 to 3: column count, definition, EOF.
inline Bytes one_column_header() {
  return concat({packet(1, Bytes{1}),
                 packet(2,
                        "\x03"
                        "def"),
                 packet(3, eof_payload())});
}

inline KillRequest kill_query(std::uint32_t id) { return {id, KillRequest::Kind::Query}; }
inline KillRequest kill_connection(std::uint32_t id) { return {id, KillRequest::Kind::Connection}; }

inline Bytes take(Bytes& buffer) {
  Bytes out;
  out.swap(buffer);
  return out;
}

}  // namespace gw::session::testing
