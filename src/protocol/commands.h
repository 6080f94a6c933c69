#pragma once
// Client commands whose fields gracewire reads. Every payload starts with its command byte; a
// different command byte is unexpected_message.
//
// COM_CHANGE_USER (MySQL "page_protocol_com_change_user"; MariaDB KB "COM_CHANGE_USER"):
//   int<1>      command        0x11
//   string<NUL> user
//   if CLIENT_SECURE_CONNECTION: int<1> length, string<length> auth_response
//   else:                        string<NUL> auth_response
//   string<NUL> schema
//   -- the rest is optional: clients older than 4.1.x stop here
//   int<2>      charset        (CLIENT_PROTOCOL_41)
//   if CLIENT_PLUGIN_AUTH:   string<NUL> auth_plugin
//   if CLIENT_CONNECT_ATTRS: connection attributes block, as in HandshakeResponse41
// Servers read the auth_response length in one byte here even under
// CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA, and so does Connector/C. As in the handshake response,
// each optional field may be missing at the end of the payload; has_* record what was there.
//
// COM_STMT_EXECUTE (MySQL "page_protocol_com_stmt_execute"; MariaDB KB "COM_STMT_EXECUTE"):
//   int<1>  command        0x17
//   int<4>  statement_id   MariaDB: 0xFFFFFFFF means "the statement prepared last" (used when
//                          a client pipelines COM_STMT_PREPARE and COM_STMT_EXECUTE)
//   int<1>  flags          cursor type: 0 none, 1 read only, 2 for update, 4 scrollable
//   int<4>  iterations     always 1
//   ...     parameters     NULL bitmap, types, values: not decoded here; they start at
//                          kStmtExecuteHeaderSize and need the statement's parameter count
//
// COM_STMT_FETCH (MySQL "page_protocol_com_stmt_fetch"; MariaDB KB "COM_STMT_FETCH"):
//   int<1> command 0x1C, int<4> statement_id, int<4> rows
//
// COM_STMT_CLOSE / COM_STMT_RESET (MySQL "page_protocol_com_stmt_close" / "..._reset"):
//   int<1> command 0x19 / 0x1A, int<4> statement_id
// COM_STMT_SEND_LONG_DATA (MySQL "page_protocol_com_stmt_send_long_data"):
//   int<1> command 0x18, int<4> statement_id, int<2> param_id, string<EOF> data
//
// COM_PROCESS_KILL (MySQL "page_protocol_com_process_kill"; MariaDB KB "COM_PROCESS_KILL"):
//   int<1> command 0x0C, int<4> connection_id
// (Connector/C's mysql_kill() sends the query "KILL <id>" instead.)
//
// COM_SET_OPTION (MySQL "page_protocol_com_set_option"; MariaDB KB "COM_SET_OPTION"):
//   int<1> command 0x1B, int<2> option   0 multi-statements on, 1 off

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"
#include "protocol/constants.h"
#include "protocol/handshake.h"

namespace gw::protocol {

struct ChangeUser {
  std::string user, auth_response, schema, auth_plugin;
  std::uint16_t charset = 0;
  ConnectAttributes attributes;
  bool has_charset = false, has_auth_plugin = false, has_attributes = false;
  friend bool operator==(const ChangeUser&, const ChangeUser&) = default;
};
[[nodiscard]] Result<ChangeUser> decode_change_user(ByteView payload, std::uint64_t capabilities);
// auth_response is cut to 255 bytes under CLIENT_SECURE_CONNECTION.
void encode_change_user(const ChangeUser& change, std::uint64_t capabilities, gw::Bytes& out);

inline constexpr std::size_t kStmtExecuteHeaderSize = 10;
inline constexpr std::uint32_t kLastPreparedStatement = 0xffffffff;

struct StmtExecute {  // parameters are not decoded here
  std::uint32_t statement_id = 0;
  std::uint8_t flags = 0;
  std::uint32_t iterations = 0;
  friend bool operator==(const StmtExecute&, const StmtExecute&) = default;
};
// Bytes after the header are parameters, never trailing_bytes.
[[nodiscard]] Result<StmtExecute> decode_stmt_execute(ByteView payload);
// Writes the 10-byte header; the caller appends the parameters.
void encode_stmt_execute(const StmtExecute& execute, gw::Bytes& out);

struct StmtFetch {
  std::uint32_t statement_id = 0;
  std::uint32_t rows = 0;
  friend bool operator==(const StmtFetch&, const StmtFetch&) = default;
};
[[nodiscard]] Result<StmtFetch> decode_stmt_fetch(ByteView payload);
void encode_stmt_fetch(const StmtFetch& fetch, gw::Bytes& out);

// COM_STMT_CLOSE/RESET (exactly 5 bytes) and COM_STMT_SEND_LONG_DATA (at least 7).
[[nodiscard]] Result<std::uint32_t> decode_statement_id(ByteView payload);
// COM_STMT_CLOSE or COM_STMT_RESET.
void encode_statement_command(Command command, std::uint32_t statement_id, gw::Bytes& out);

struct StmtSendLongData {
  std::uint32_t statement_id = 0;
  std::uint16_t param_id = 0;
  std::string data;
  friend bool operator==(const StmtSendLongData&, const StmtSendLongData&) = default;
};
[[nodiscard]] Result<StmtSendLongData> decode_stmt_send_long_data(ByteView payload);
void encode_stmt_send_long_data(const StmtSendLongData& long_data, gw::Bytes& out);

[[nodiscard]] Result<std::uint32_t> decode_process_kill(ByteView payload);
void encode_process_kill(std::uint32_t connection_id, gw::Bytes& out);

inline constexpr std::uint16_t kMultiStatementsOn = 0;
inline constexpr std::uint16_t kMultiStatementsOff = 1;
// Options other than the two above are invalid_value.
[[nodiscard]] Result<std::uint16_t> decode_set_option(ByteView payload);
void encode_set_option(std::uint16_t option, gw::Bytes& out);

}  // namespace gw::protocol
