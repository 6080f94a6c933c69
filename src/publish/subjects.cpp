#include "publish/subjects.h"

#include <fmt/format.h>

#include <variant>

#include "eventlog/json.h"

namespace gw::publish {
namespace {

bool plain_name_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The transaction part of a change's id: its GTID, or where its event starts without one.
std::string transaction_key(const eventlog::ChangePosition& position) {
  if (!position.gtid.empty()) return fmt::format("{}:{}", position.gtid, position.event_index);
  // '@' starts no GTID ("0-1-42"): the two forms never meet.
  return fmt::format("@{}:{}:{}", position.binlog_file, position.binlog_pos, position.event_index);
}

}  // namespace

std::string subject_token(std::string_view name) {
  if (name.empty()) return "%";
  std::string token;
  token.reserve(name.size());
  for (const char byte : name) {
    const auto c = static_cast<unsigned char>(byte);
    if (plain_name_byte(c)) {
      token += byte;
    } else {
      token += fmt::format("%{:02X}", c);
    }
  }
  return token;
}

std::string subject_for(const eventlog::Record& record, std::string_view prefix) {
  if (const auto* row = std::get_if<eventlog::RowRecord>(&record)) {
    return fmt::format("{}.changes.{}.{}", prefix, subject_token(row->common.db),
                       subject_token(row->table));
  }
  if (const auto* ddl = std::get_if<eventlog::DdlRecord>(&record)) {
    return fmt::format("{}.changes.{}", prefix, subject_token(ddl->common.db));
  }
  if (std::holds_alternative<eventlog::CommitRecord>(record)) {
    return fmt::format("{}.changes", prefix);
  }
  return fmt::format("{}.events.{}", prefix, eventlog::type_name(record));
}

std::string change_message_id(const eventlog::Record& record) {
  if (const auto* row = std::get_if<eventlog::RowRecord>(&record)) {
    return fmt::format("{}:{}", transaction_key(row->position), row->row_index);
  }
  if (const auto* ddl = std::get_if<eventlog::DdlRecord>(&record)) {
    return transaction_key(ddl->position);
  }
  if (const auto* commit = std::get_if<eventlog::CommitRecord>(&record)) {
    return transaction_key(commit->position);
  }
  return {};
}

std::string event_message_id(std::string_view instance, std::uint64_t lineage,
                             std::uint64_t sequence) {
  return fmt::format("{}:{}:{}", instance, lineage, sequence);
}

}  // namespace gw::publish
