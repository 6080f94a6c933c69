#pragma once
// Authentication exchange messages the server sends between the HandshakeResponse41 (or
// COM_CHANGE_USER) and the final OK/ERR.
//
// AuthSwitchRequest (MySQL "page_protocol_connection_phase_packets_protocol_auth_switch_request";
// MariaDB KB "Connection", section "Authentication switch request"):
//   int<1>      header     0xFE
//   string<NUL> plugin     the plugin the client must switch to
//   string<EOF> data       plugin data, raw: MariaDB and MySQL append a NUL to the 20-byte
//                          mysql_native_password scramble; client_ed25519 gets 32 bytes, no NUL
// A payload of the single byte 0xFE is MySQL's "Old Authentication Method Switch" (to the
// pre-4.1 mysql_old_password hash): `unsupported`.
//
// AuthMoreData (MySQL "page_protocol_connection_phase_packets_protocol_auth_more_data"):
//   int<1>      header     0x01
//   string<EOF> data       e.g. caching_sha2_password's 0x03 "fast auth ok" / 0x04 "send the
//                          password"; MariaDB also uses the header to escape plugin data that
//                          would otherwise start with 0x01, 0xFE or 0xFF

#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

struct AuthSwitchRequest {  // 0xFE header
  std::string plugin;
  std::string data;
  friend bool operator==(const AuthSwitchRequest&, const AuthSwitchRequest&) = default;
};
[[nodiscard]] Result<AuthSwitchRequest> decode_auth_switch_request(ByteView payload);
void encode_auth_switch_request(const AuthSwitchRequest& request, gw::Bytes& out);

struct AuthMoreData {  // 0x01 header
  std::string data;
  friend bool operator==(const AuthMoreData&, const AuthMoreData&) = default;
};
[[nodiscard]] Result<AuthMoreData> decode_auth_more_data(ByteView payload);
void encode_auth_more_data(const AuthMoreData& more, gw::Bytes& out);

}  // namespace gw::protocol
