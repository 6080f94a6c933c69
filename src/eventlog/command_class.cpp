#include "eventlog/command_class.h"

#include <utility>

namespace gw::eventlog {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto up = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; };
    if (up(a[i]) != up(b[i])) return false;
  }
  return true;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 20> kClassOf = {{
    {"COM_QUERY", "query"},
    {"COM_STMT_PREPARE", "prepared"},
    {"COM_STMT_EXECUTE", "prepared"},
    {"COM_STMT_BULK_EXECUTE", "prepared"},
    {"COM_STMT_FETCH", "prepared"},
    {"COM_STMT_SEND_LONG_DATA", "prepared"},
    {"COM_STMT_RESET", "prepared"},
    {"COM_STMT_CLOSE", "prepared"},
    {"COM_INIT_DB", "schema"},
    {"COM_CREATE_DB", "schema"},
    {"COM_DROP_DB", "schema"},
    {"COM_FIELD_LIST", "schema"},
    {"COM_CHANGE_USER", "session"},
    {"COM_RESET_CONNECTION", "session"},
    {"COM_SET_OPTION", "session"},
    {"COM_QUIT", "session"},
    {"COM_BINLOG_DUMP", "replication"},
    {"COM_BINLOG_DUMP_GTID", "replication"},
    {"COM_REGISTER_SLAVE", "replication"},
    {"COM_TABLE_DUMP", "replication"},
}};

}  // namespace

std::string_view command_class(std::string_view command_name) {
  for (const auto& [name, cls] : kClassOf) {
    if (iequals(name, command_name)) return cls;
  }
  return "admin";
}

}  // namespace gw::eventlog
