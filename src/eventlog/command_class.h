#pragma once
// Command classes: the coarse groups the event_log.commands filter names, so an audit log can
// keep, say, only statements ("query", "prepared") without listing thirty command names.
//
//   query        COM_QUERY
//   prepared     COM_STMT_PREPARE, _EXECUTE, _BULK_EXECUTE, _FETCH, _SEND_LONG_DATA, _RESET, _CLOSE
//   schema       COM_INIT_DB, COM_CREATE_DB, COM_DROP_DB, COM_FIELD_LIST
//   session      COM_CHANGE_USER, COM_RESET_CONNECTION, COM_SET_OPTION, COM_QUIT
//   replication  COM_BINLOG_DUMP, COM_BINLOG_DUMP_GTID, COM_REGISTER_SLAVE, COM_TABLE_DUMP
//   admin        everything else the protocol defines (COM_PING, COM_STATISTICS,
//                COM_PROCESS_KILL, COM_SHUTDOWN, COM_REFRESH, COM_DEBUG, ...) and unknown names
//
// The config parser accepts exactly these words (config/enum_names.h); a unit test holds the
// two lists equal.

#include <array>
#include <string_view>

namespace gw::eventlog {

inline constexpr std::array<std::string_view, 6> kCommandClasses = {
    "query", "prepared", "schema", "session", "replication", "admin"};

// The class of a command as protocol::command_name() spells it ("COM_QUERY" -> "query").
// Case-insensitive; unknown names are "admin".
std::string_view command_class(std::string_view command_name);

}  // namespace gw::eventlog
