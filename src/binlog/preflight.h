#pragma once
// What the follower checks on the server before it asks for a dump, and the statements it
// sends to get there; pure functions over query results, so each verdict is unit-tested.
//
//   1. kPreflightQuery        log_bin, binlog_format, row image and metadata, checksum, the
//                             server's own server_id, its GTID position, its version
//   2. check_preflight()      one clear error per wrong setting, naming the statement that
//                             fixes it; the follower does not start
//   3. start position         "current" -> @@gtid_binlog_pos; a GTID list as given;
//                             FILE:POS -> SHOW BINARY LOGS (is the file still there?), then
//                             BINLOG_GTID_POS(file, pos) (the GTID position there)
//   4. session_setup_sql()    checksum, capability, heartbeat, GTID start, strict mode and the
//                             raised net_write_timeout, in one SET

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/binlog/event.h"
#include "protocol/binlog/gtid.h"
#include "protocol/text_result.h"

namespace gw::binlog {

// One row: log_bin, binlog_format, binlog_row_image, binlog_row_metadata, binlog_checksum,
// server_id, gtid_binlog_pos, version, session_track_system_variables.
inline constexpr std::string_view kPreflightQuery =
    "SELECT @@global.log_bin, @@global.binlog_format, @@global.binlog_row_image, "
    "@@global.binlog_row_metadata, @@global.binlog_checksum, @@global.server_id, "
    "@@global.gtid_binlog_pos, @@version, @@global.session_track_system_variables";

// Said once when the server's sessions do not report last_gtid: transactions on transactional
// tables are then attributed by nothing but server_conn_id (when the binlog has it).
inline constexpr std::string_view kLastGtidAdvice =
    "session_track_system_variables does not include last_gtid, so change records of "
    "transactional tables cannot name the gracewire session that made them: SET GLOBAL "
    "session_track_system_variables = CONCAT(@@global.session_track_system_variables, "
    "',last_gtid') (and the same in the server's configuration)";

// What the preflight learned about the server.
struct ServerFacts {
  std::uint32_t server_id = 0;
  protocol::binlog::Checksum checksum = protocol::binlog::Checksum::Crc32;
  protocol::binlog::GtidList gtid_binlog_pos;
  std::string version;
  // Sessions report the GTID of each transaction they commit (session_track_system_variables
  // names last_gtid, or is '*'): the follower can attribute transactions by GTID.
  bool tracks_last_gtid = false;
};

// Checks kPreflightQuery's result; `our_server_id` must differ from the server's. The error is
// one sentence per problem, joined by "; ".
std::expected<ServerFacts, std::string> check_preflight(const protocol::TextResult& result,
                                                        std::uint32_t our_server_id);

// SHOW BINARY LOGS' rows (Log_name, File_size): whether `file` is still there and `pos` within
// it; the error names the oldest file left.
std::expected<void, std::string> check_file_position(const protocol::TextResult& result,
                                                     std::string_view file, std::uint64_t pos);

// SELECT BINLOG_GTID_POS('<file>', <pos>), the file name quoted for SQL.
std::string gtid_at_position_query(std::string_view file, std::uint64_t pos);
// Its answer: the GTID position there; NULL means the server cannot map it (not an event
// boundary, or a file it no longer has).
std::expected<protocol::binlog::GtidList, std::string> gtid_at_position(
    const protocol::TextResult& result, std::string_view file, std::uint64_t pos);

// SHOW SLAVE HOSTS's rows (Server_id, Host, Port, Master_id): an error naming the replica that
// already uses `server_id`.
std::expected<void, std::string> check_server_id_free(const protocol::TextResult& result,
                                                      std::uint32_t server_id);

// The SET that prepares the dump connection.
std::string session_setup_sql(const protocol::binlog::GtidList& start,
                              std::chrono::milliseconds heartbeat);

// The session's net_write_timeout while dumping: the largest the server allows (a year), so that
// a follower paused by a slow record sink is never cut off by the server ("Got an error writing
// communication packets"); gracewire itself ends the dump cleanly when it wants to.
inline constexpr std::uint32_t kDumpNetWriteTimeout = 31'536'000;

// How an ERR that ended a dump should be handled.
enum class DumpErrorKind {
  PositionPurged,  // 1236: the binlog the position needs is gone: a clear error, no retry
  GtidDiverged,    // 1236: the server's history does not contain the position: no retry
  ServerIdClash,   // another replica took over our server_id: back off, then retry
  Transient,       // anything else: reconnect with backoff and resume
};
DumpErrorKind classify_dump_error(std::uint16_t code, std::string_view message);

}  // namespace gw::binlog
