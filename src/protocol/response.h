#pragma once
// Generic server responses: OK, ERR (and MariaDB's progress reports, which borrow its header),
// EOF.
//
// OK_Packet (MySQL "page_protocol_basic_ok_packet"; MariaDB KB "OK_Packet"):
//   int<1>         header          0x00; 0xFE when it ends a result set under
//                                  CLIENT_DEPRECATE_EOF (and then replaces the EOF packet)
//   int<lenenc>    affected_rows
//   int<lenenc>    last_insert_id
//   if CLIENT_PROTOCOL_41:       int<2> status, int<2> warnings
//   else if CLIENT_TRANSACTIONS: int<2> status
//   if CLIENT_SESSION_TRACK:
//     string<lenenc> info         absent when empty and no session state follows (both MariaDB
//                                 and MySQL leave it out then; the payload just ends)
//     if status & SERVER_SESSION_STATE_CHANGED:
//       string<lenenc> session_state   the raw block of session state change entries
//   else:
//     string<EOF>    info
//
// ERR_Packet (MySQL "page_protocol_basic_err_packet"; MariaDB KB "ERR_Packet"):
//   int<1>       header       0xFF
//   int<2>       code         0xFFFF: a MariaDB progress report, see below
//   if the next byte is '#':  string<1> '#', string<5> sql_state
//   string<EOF>  message
// Servers send the '#' marker to every CLIENT_PROTOCOL_41 client, so with that bit a payload
// ending right after the code is need_more; without it the marker is still recognised (it is
// Connector/C's rule too) but encode leaves it out. sql_state is "HY000" when absent.
//
// Progress report (MariaDB KB "Progress Reporting", "Format of Progress Packets"), sent only to
// clients that set CLIENT_PROGRESS / MARIADB_CLIENT_PROGRESS, in the middle of a command:
//   int<1>         header          0xFF
//   int<2>         code            0xFFFF
//   int<1>         string count    1 ("for future" extensions; later bytes are ignored)
//   int<1>         stage           1 .. max_stage
//   int<1>         max_stage
//   int<3>         progress        within the stage, in 1/1000 of a percent (0 .. 100000)
//   string<lenenc> info            the stage's name, e.g. "copy to tmp table"
//
// EOF_Packet (MySQL "page_protocol_basic_eof_packet"; MariaDB KB "EOF_Packet"):
//   int<1>  header    0xFE
//   int<2>  warnings
//   int<2>  status
// (CLIENT_PROTOCOL_41 only; a pre-4.1 EOF is the header alone.) Under CLIENT_DEPRECATE_EOF the
// server sends an OK with header 0xFE instead, also in reply to COM_SET_OPTION and friends.

#include <cstdint>
#include <string>

#include "core/bytes.h"
#include "core/result.h"

namespace gw::protocol {

struct OkPacket {
  std::uint64_t affected_rows = 0, last_insert_id = 0;
  std::uint16_t status = 0, warnings = 0;
  std::string info;
  std::string session_state;   // raw session state block, without its length
  std::uint8_t header = 0x00;  // 0xFE when it ends a result set under CLIENT_DEPRECATE_EOF
  friend bool operator==(const OkPacket&, const OkPacket&) = default;
};
// Header 0xFE is accepted only when `capabilities` has CLIENT_DEPRECATE_EOF.
[[nodiscard]] Result<OkPacket> decode_ok(ByteView payload, std::uint64_t capabilities);
// Writes info under CLIENT_SESSION_TRACK only when it is not empty or session state follows,
// as servers do.
void encode_ok(const OkPacket& ok, std::uint64_t capabilities, gw::Bytes& out);

struct ErrPacket {
  std::uint16_t code = 0;
  std::string sql_state;  // 5 chars, "HY000" when absent
  std::string message;
  friend bool operator==(const ErrPacket&, const ErrPacket&) = default;
};
// A progress report (code 0xFFFF) is unexpected_message here: use decode_progress_report.
// Pass capabilities 0 for an ERR that replaces the greeting.
[[nodiscard]] Result<ErrPacket> decode_err(ByteView payload, std::uint64_t capabilities);
void encode_err(const ErrPacket& err, std::uint64_t capabilities, gw::Bytes& out);

// MariaDB sends progress reports as ERR packets with code 0xFFFF when the client set
// MARIADB_CLIENT_PROGRESS/CLIENT_PROGRESS; they are not errors and do not end a command.
[[nodiscard]] bool is_progress_report(ByteView payload);

struct ProgressReport {
  std::uint8_t stage = 0;
  std::uint8_t max_stage = 0;
  std::uint32_t progress = 0;  // 1/1000 of a percent of the current stage
  std::string info;
  friend bool operator==(const ProgressReport&, const ProgressReport&) = default;
};
[[nodiscard]] Result<ProgressReport> decode_progress_report(ByteView payload);
void encode_progress_report(const ProgressReport& report, gw::Bytes& out);

struct EofPacket {
  std::uint16_t warnings = 0;
  std::uint16_t status = 0;
  friend bool operator==(const EofPacket&, const EofPacket&) = default;
};
// 6 to 8 bytes are trailing_bytes (a 7-byte payload is the 0xFE OK of CLIENT_DEPRECATE_EOF:
// decode_ok it); 9 or more are not an EOF at all: unexpected_message.
[[nodiscard]] Result<EofPacket> decode_eof(ByteView payload);
void encode_eof(const EofPacket& eof, gw::Bytes& out);

// Classic EOF: 0xFE with total payload length < 9. Under CLIENT_DEPRECATE_EOF the terminating
// OK: 0xFE with length < 0xFFFFFF. Rows that start with 0xFE (a lenenc 8-byte length) are
// longer. `length` is the whole logical message, all packets joined.
[[nodiscard]] bool is_eof_packet(std::uint8_t first_byte, std::uint64_t length);
[[nodiscard]] bool is_ok_terminator(std::uint8_t first_byte, std::uint64_t length);

}  // namespace gw::protocol
