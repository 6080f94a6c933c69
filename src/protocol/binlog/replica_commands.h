#pragma once
// The two commands a replica sends before it reads the binlog (MariaDB KB "COM_REGISTER_SLAVE",
// "COM_BINLOG_DUMP"; MySQL "page_protocol_com_register_slave", "page_protocol_com_binlog_dump").
//
// COM_REGISTER_SLAVE (answered with OK; makes the replica visible in SHOW SLAVE HOSTS):
//   int<1>  0x15
//   int<4>  server_id        the replica's, unique among the source's replicas
//   int<1>  hostname length, string hostname     shown in SHOW SLAVE HOSTS
//   int<1>  user length, string user             (report_user; empty)
//   int<1>  password length, string password     (report_password; always empty here)
//   int<2>  port
//   int<4>  replication rank (ignored), int<4> master_id (ignored; 0)
//
// COM_BINLOG_DUMP (answered with the event stream: each packet 0x00 + one event, until an EOF
// packet 0xFE when the dump ends, or an ERR):
//   int<1>  0x12
//   int<4>  position         where to start in `file` (4 = the first event)
//   int<2>  flags            0x01 BINLOG_DUMP_NON_BLOCK: end with EOF at the end of the binlog;
//                            0x02 BINLOG_SEND_ANNOTATE_ROWS_EVENT (MariaDB): send ANNOTATE_ROWS
//                            events, which a dump otherwise leaves out
//   int<4>  server_id
//   string<EOF> file         empty with a MariaDB GTID start (@slave_connect_state)

#include <cstdint>
#include <string_view>

#include "core/bytes.h"

namespace gw::protocol::binlog {

struct RegisterReplica {
  std::uint32_t server_id = 0;
  std::string_view hostname;
  std::uint16_t port = 0;
};

struct BinlogDump {
  std::uint32_t position = 4;
  std::uint16_t flags = 0;
  std::uint32_t server_id = 0;
  std::string_view file;

  static constexpr std::uint16_t kNonBlocking = 0x01;
  static constexpr std::uint16_t kSendAnnotateRows = 0x02;
};

// The command payloads, without frame headers (each starts an exchange at sequence id 0). The
// hostname is cut at 255 bytes; a file name longer than a packet is the caller's bug.
Bytes encode_register_replica(const RegisterReplica& command);
Bytes encode_binlog_dump(const BinlogDump& command);

}  // namespace gw::protocol::binlog
