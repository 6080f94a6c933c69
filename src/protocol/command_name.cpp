#include "protocol/constants.h"

namespace gw::protocol {

std::string_view command_name(std::uint8_t command) {
  switch (static_cast<Command>(command)) {
    case Command::Sleep:
      return "COM_SLEEP";
    case Command::Quit:
      return "COM_QUIT";
    case Command::InitDb:
      return "COM_INIT_DB";
    case Command::Query:
      return "COM_QUERY";
    case Command::FieldList:
      return "COM_FIELD_LIST";
    case Command::CreateDb:
      return "COM_CREATE_DB";
    case Command::DropDb:
      return "COM_DROP_DB";
    case Command::Refresh:
      return "COM_REFRESH";
    case Command::Shutdown:
      return "COM_SHUTDOWN";
    case Command::Statistics:
      return "COM_STATISTICS";
    case Command::ProcessInfo:
      return "COM_PROCESS_INFO";
    case Command::Connect:
      return "COM_CONNECT";
    case Command::ProcessKill:
      return "COM_PROCESS_KILL";
    case Command::Debug:
      return "COM_DEBUG";
    case Command::Ping:
      return "COM_PING";
    case Command::Time:
      return "COM_TIME";
    case Command::DelayedInsert:
      return "COM_DELAYED_INSERT";
    case Command::ChangeUser:
      return "COM_CHANGE_USER";
    case Command::BinlogDump:
      return "COM_BINLOG_DUMP";
    case Command::TableDump:
      return "COM_TABLE_DUMP";
    case Command::ConnectOut:
      return "COM_CONNECT_OUT";
    case Command::RegisterSlave:
      return "COM_REGISTER_SLAVE";
    case Command::StmtPrepare:
      return "COM_STMT_PREPARE";
    case Command::StmtExecute:
      return "COM_STMT_EXECUTE";
    case Command::StmtSendLongData:
      return "COM_STMT_SEND_LONG_DATA";
    case Command::StmtClose:
      return "COM_STMT_CLOSE";
    case Command::StmtReset:
      return "COM_STMT_RESET";
    case Command::SetOption:
      return "COM_SET_OPTION";
    case Command::StmtFetch:
      return "COM_STMT_FETCH";
    case Command::Daemon:
      return "COM_DAEMON";
    case Command::BinlogDumpGtid:
      return "COM_BINLOG_DUMP_GTID";
    case Command::ResetConnection:
      return "COM_RESET_CONNECTION";
    case Command::StmtBulkExecute:
      return "COM_STMT_BULK_EXECUTE";
  }
  return "COM_UNKNOWN";
}

}  // namespace gw::protocol
