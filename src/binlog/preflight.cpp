#include "binlog/preflight.h"

#include <fmt/format.h>

#include <charconv>

namespace gw::binlog {

namespace pb = protocol::binlog;

namespace {

std::string_view cell(const protocol::TextRow& row, std::size_t index) {
  if (index >= row.size() || !row[index]) return {};
  return *row[index];
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// session_track_system_variables is a comma-separated list of names, or '*' for all.
bool tracks_variable(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "*" || iequals(item, name)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

template <typename T>
std::optional<T> number(std::string_view text) {
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

// 'text' for SQL: quotes and backslashes escaped (binlog file names are plain, but a
// configuration file is hostile input too).
std::string sql_quoted(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '\'';
  return quoted;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

std::expected<ServerFacts, std::string> check_preflight(const protocol::TextResult& result,
                                                        std::uint32_t our_server_id) {
  if (!result.ok) {
    return std::unexpected(fmt::format("the preflight query failed: ERR {} {}", result.error_code,
                                       result.error_message));
  }
  if (result.rows.size() != 1 || result.rows[0].size() < 9) {
    return std::unexpected(std::string("the preflight query returned an unexpected result"));
  }
  const auto& row = result.rows[0];
  std::vector<std::string> problems;
  if (cell(row, 0) != "1") {
    problems.emplace_back(
        "log_bin is OFF: start the server with log_bin (e.g. log_bin=mysql-bin in its "
        "configuration); it cannot be changed at run time");
  }
  if (!iequals(cell(row, 1), "ROW")) {
    problems.push_back(
        fmt::format("binlog_format is {}, not ROW: SET GLOBAL binlog_format = 'ROW' (and "
                    "binlog_format=ROW in the server's configuration)",
                    cell(row, 1)));
  }
  if (!iequals(cell(row, 2), "FULL")) {
    problems.push_back(
        fmt::format("binlog_row_image is {}, not FULL: SET GLOBAL binlog_row_image = 'FULL' (and "
                    "binlog_row_image=FULL in the server's configuration)",
                    cell(row, 2)));
  }
  if (!iequals(cell(row, 3), "FULL")) {
    problems.push_back(fmt::format(
        "binlog_row_metadata is {}, not FULL: SET GLOBAL binlog_row_metadata = 'FULL' (and "
        "binlog_row_metadata=FULL in the server's configuration; MariaDB 10.5 or later)",
        cell(row, 3).empty() ? std::string_view("not supported") : cell(row, 3)));
  }
  ServerFacts facts;
  facts.checksum = iequals(cell(row, 4), "NONE") ? pb::Checksum::Off : pb::Checksum::Crc32;
  if (!iequals(cell(row, 4), "NONE") && !iequals(cell(row, 4), "CRC32")) {
    problems.push_back(
        fmt::format("binlog_checksum {} is not supported: SET GLOBAL "
                    "binlog_checksum = 'CRC32'",
                    cell(row, 4)));
  }
  const auto server_id = number<std::uint32_t>(cell(row, 5));
  if (!server_id) {
    problems.push_back(fmt::format("the server reports server_id {}", cell(row, 5)));
  } else if (*server_id == our_server_id) {
    problems.push_back(fmt::format(
        "binlog.server_id {} is the server's own server_id: choose another one, unique among "
        "the server and all its replicas",
        our_server_id));
  }
  facts.server_id = server_id.value_or(0);
  auto gtid = pb::parse_gtid_list(cell(row, 6));
  if (!gtid) {
    problems.push_back(
        fmt::format("the server's gtid_binlog_pos '{}' does not parse", cell(row, 6)));
  } else {
    facts.gtid_binlog_pos = std::move(*gtid);
  }
  facts.version = std::string(cell(row, 7));
  facts.tracks_last_gtid = tracks_variable(cell(row, 8), "last_gtid");
  if (!problems.empty()) {
    std::string joined;
    for (const auto& problem : problems) {
      if (!joined.empty()) joined += "; ";
      joined += problem;
    }
    return std::unexpected(joined);
  }
  return facts;
}

std::expected<void, std::string> check_file_position(const protocol::TextResult& result,
                                                     std::string_view file, std::uint64_t pos) {
  if (!result.ok) {
    return std::unexpected(
        fmt::format("SHOW BINARY LOGS failed: ERR {} {} (the binlog account "
                    "needs BINLOG MONITOR)",
                    result.error_code, result.error_message));
  }
  for (const auto& row : result.rows) {
    if (cell(row, 0) != file) continue;
    const auto size = number<std::uint64_t>(cell(row, 1));
    if (size && pos > *size) {
      return std::unexpected(fmt::format(
          "binlog position {}:{} is past the end of that file ({} bytes)", file, pos, *size));
    }
    return {};
  }
  const std::string_view oldest = result.rows.empty() ? "none" : cell(result.rows.front(), 0);
  return std::unexpected(fmt::format(
      "binlog file {} is no longer on the server (purged; the oldest left is {}): start from "
      "\"current\" or a later position",
      file, oldest));
}

std::string gtid_at_position_query(std::string_view file, std::uint64_t pos) {
  return fmt::format("SELECT BINLOG_GTID_POS({}, {})", sql_quoted(file), pos);
}

std::expected<pb::GtidList, std::string> gtid_at_position(const protocol::TextResult& result,
                                                          std::string_view file,
                                                          std::uint64_t pos) {
  if (!result.ok) {
    return std::unexpected(
        fmt::format("BINLOG_GTID_POS failed: ERR {} {}", result.error_code, result.error_message));
  }
  if (result.rows.size() != 1 || result.rows[0].empty() || !result.rows[0][0]) {
    return std::unexpected(fmt::format(
        "the server cannot start a dump at {}:{}: not the start of an event in a binlog it has",
        file, pos));
  }
  auto list = pb::parse_gtid_list(*result.rows[0][0]);
  if (!list) {
    return std::unexpected(
        fmt::format("BINLOG_GTID_POS returned '{}', which does not parse", *result.rows[0][0]));
  }
  return std::move(*list);
}

std::expected<void, std::string> check_server_id_free(const protocol::TextResult& result,
                                                      std::uint32_t server_id) {
  if (!result.ok) return {};  // not allowed to look (no REPLICATION MASTER ADMIN): carry on
  for (const auto& row : result.rows) {
    if (number<std::uint32_t>(cell(row, 0)) == server_id) {
      return std::unexpected(fmt::format(
          "binlog.server_id {} is already used by the replica at {}:{}: every replica needs its "
          "own server_id",
          server_id, cell(row, 1), cell(row, 2)));
    }
  }
  return {};
}

std::string session_setup_sql(const pb::GtidList& start, std::chrono::milliseconds heartbeat) {
  const auto heartbeat_ns = static_cast<std::uint64_t>(heartbeat.count()) * 1'000'000ULL;
  // Capability 4 (MARIA_SLAVE_CAPABILITY_GTID): GTID events, GTID start, annotate events.
  return fmt::format(
      "SET @master_binlog_checksum = @@global.binlog_checksum, @mariadb_slave_capability = 4, "
      "@master_heartbeat_period = {}, @slave_connect_state = {}, @slave_gtid_strict_mode = 1, "
      "@slave_gtid_ignore_duplicates = 0, SESSION net_write_timeout = {}",
      heartbeat_ns, sql_quoted(pb::format_gtid_list(start)), kDumpNetWriteTimeout);
}

DumpErrorKind classify_dump_error(std::uint16_t code, std::string_view message) {
  if (contains(message, "same server_uuid/server_id") || contains(message, "same server_id")) {
    return DumpErrorKind::ServerIdClash;
  }
  if (code != 1236) return DumpErrorKind::Transient;
  if (contains(message, "purged") || contains(message, "Could not find first log file")) {
    return DumpErrorKind::PositionPurged;
  }
  if (contains(message, "GTID") || contains(message, "diverged")) {
    return DumpErrorKind::GtidDiverged;
  }
  return DumpErrorKind::Transient;
}

}  // namespace gw::binlog
