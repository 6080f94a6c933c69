#include "binlog/change_stream.h"

#include <fmt/format.h>

#include <utility>

#include "core/errors.h"

namespace gw::binlog {

namespace pb = protocol::binlog;
using pb::EventType;

namespace {

bool is_rows_event(EventType type) {
  switch (type) {
    case EventType::WriteRowsV1:
    case EventType::UpdateRowsV1:
    case EventType::DeleteRowsV1:
    case EventType::WriteRows:
    case EventType::UpdateRows:
    case EventType::DeleteRows:
    case EventType::WriteRowsCompressedV1:
    case EventType::UpdateRowsCompressedV1:
    case EventType::DeleteRowsCompressedV1:
    case EventType::WriteRowsCompressed:
    case EventType::UpdateRowsCompressed:
    case EventType::DeleteRowsCompressed:
      return true;
    default:
      return false;
  }
}

// Statement words a QUERY event uses to frame a transaction rather than to change anything.
bool equals_word(std::string_view statement, std::string_view word) {
  if (statement.size() != word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = statement[i];
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (upper != word[i]) return false;
  }
  return true;
}

eventlog::RowRecord::Op op_of(pb::RowsKind kind) {
  switch (kind) {
    case pb::RowsKind::Write:
      return eventlog::RowRecord::Op::Insert;
    case pb::RowsKind::Update:
      return eventlog::RowRecord::Op::Update;
    case pb::RowsKind::Delete:
      return eventlog::RowRecord::Op::Delete;
  }
  return eventlog::RowRecord::Op::Insert;
}

std::shared_ptr<const std::vector<std::string>> names_of(const pb::TableMap& map) {
  auto names = std::make_shared<std::vector<std::string>>();
  names->reserve(map.columns.size());
  for (const auto& column : map.columns) names->push_back(column.name);
  return names;
}

}  // namespace

ChangeStream::ChangeStream(Options options, StreamPosition start)
    : options_(options), checksum_(options.initial_checksum), committed_(std::move(start)) {
  file_ = committed_.binlog_file;
  skip_ = std::exchange(committed_.open, std::nullopt);
}

StreamPosition ChangeStream::resume_point() const {
  StreamPosition point = committed_;
  if (group_) point.open = last_handed_ ? last_handed_ : skip_;
  return point;
}

std::uint8_t ChangeStream::post_header_length(EventType type) const {
  if (format_) return format_->post_header_length(static_cast<std::uint8_t>(type));
  return 0;
}

std::string ChangeStream::cut(std::string_view statement) const {
  return std::string(statement.substr(0, options_.statement_limit));
}

Result<void> ChangeStream::begin_event(ByteView event) {
  pending_rows_.reset();
  pending_record_.reset();
  if (group_ && group_->ended_at) finish_group();
  auto raw = pb::split_event(event, checksum_);
  if (!raw) return fail(raw.error());
  header_ = raw->header;
  event_decoded_at_ = std::chrono::system_clock::now();  // every record of the event's `ts`
  ++stats_.events;
  // log_pos is where the next event starts; artificial events (log_pos 0) have no place.
  event_pos_ = header_.log_pos >= header_.event_size ? header_.log_pos - header_.event_size : 0;
  if (group_) ++group_->event_index;
  return on_event(*raw);
}

Result<void> ChangeStream::on_event(const pb::RawEvent& event) {
  const auto type = static_cast<EventType>(event.header.type);
  caught_up_ = type == EventType::Heartbeat;
  if (type != EventType::Heartbeat && event.header.timestamp != 0) {
    last_timestamp_ = event.header.timestamp;
  }
  switch (type) {
    case EventType::FormatDescription: {
      auto format = pb::decode_format_description(event.body);
      if (!format) return fail(format.error());
      checksum_ = format->checksum;
      format_ = std::move(*format);
      return {};
    }
    case EventType::Rotate: {
      auto rotate = pb::decode_rotate(event.body);
      if (!rotate) return fail(rotate.error());
      file_ = rotate->next_file;
      if (!group_) {
        committed_.binlog_file = file_;
        committed_.binlog_pos = rotate->position;
      }
      return {};
    }
    case EventType::Gtid: {
      auto gtid = pb::decode_gtid(event.body, event.header.server_id);
      if (!gtid) return fail(gtid.error());
      if (group_) return fail(codec_errc::unexpected_message);  // a group never nests
      tables_.clear();
      group_.emplace();
      group_->gtid = gtid->gtid;
      if (group_->gtid.sequence != 0) group_->gtid_text = pb::format_gtid(group_->gtid);
      group_->standalone = gtid->standalone();
      group_->commit_ts =
          std::chrono::system_clock::time_point(std::chrono::seconds(event.header.timestamp));
      return {};
    }
    case EventType::Query:
      return on_query(event, event.body);
    case EventType::QueryCompressed: {
      if (auto r =
              pb::decompress_query(event.body, post_header_length(EventType::Query), inflated_);
          !r) {
        return fail(r.error());
      }
      return on_query(event, inflated_);
    }
    case EventType::Xid: {
      if (!group_) return fail(codec_errc::unexpected_message);
      end_group(event.header);
      return {};
    }
    case EventType::AnnotateRows: {
      auto annotate = pb::decode_annotate_rows(event.body);
      if (!annotate) return fail(annotate.error());
      if (group_) group_->statement = cut(annotate->statement);
      return {};
    }
    case EventType::TableMap:
      return on_table_map(event);
    case EventType::Heartbeat: {
      ++stats_.heartbeats;
      auto heartbeat = pb::decode_heartbeat(event.body);
      if (!heartbeat) return fail(heartbeat.error());
      if (!group_ && event.header.log_pos != 0) {
        file_ = std::string(heartbeat->file);
        if (committed_.binlog_file != file_ || committed_.binlog_pos != event.header.log_pos) {
          committed_.binlog_file = file_;
          committed_.binlog_pos = event.header.log_pos;
          committed_moved_ = true;
        }
      }
      return {};
    }
    case EventType::GtidList:
    case EventType::BinlogCheckpoint:
    case EventType::Stop:
    case EventType::StartEncryption:
    case EventType::Intvar:
    case EventType::Rand:
    case EventType::UserVar:
      return {};  // nothing a change record needs (the last three belong to statement events)
    default:
      if (is_rows_event(type)) return on_rows(event);
      return on_unknown(event);
  }
}

Result<void> ChangeStream::on_unknown(const pb::RawEvent& event) {
  if (group_ && (event.header.flags & pb::kFlagIgnorable) == 0) {
    return fail(codec_errc::unsupported);
  }
  ++stats_.skipped_unknown;
  return {};
}

Result<void> ChangeStream::on_query(const pb::RawEvent& event, ByteView body) {
  auto query = pb::decode_query(body, post_header_length(EventType::Query));
  if (!query) return fail(query.error());
  if (!group_) {
    // MariaDB puts every statement in a GTID group; a lone one still gets its record.
    group_.emplace();
    group_->standalone = true;
    group_->commit_ts =
        std::chrono::system_clock::time_point(std::chrono::seconds(event.header.timestamp));
  }
  group_->thread_id = query->thread_id;
  if (!group_->standalone) {
    if (equals_word(query->statement, "BEGIN")) return {};
    // ROLLBACK ends a group whose non-transactional changes stayed (their rows came before).
    if (equals_word(query->statement, "COMMIT") || equals_word(query->statement, "ROLLBACK")) {
      end_group(event.header);
      return {};
    }
  }
  eventlog::DdlRecord ddl;
  ddl.common = common_for(query->thread_id, query->db);
  ddl.statement = cut(query->statement);
  ddl.position = change_position();
  pending_record_ = std::move(ddl);
  ++stats_.ddl;
  if (group_->standalone) end_group(event.header);
  return {};
}

Result<void> ChangeStream::on_table_map(const pb::RawEvent& event) {
  auto map = pb::decode_table_map(event.body, post_header_length(EventType::TableMap));
  if (!map) return fail(map.error());
  auto& slot = tables_[map->table_id];
  // Statements of one transaction map the same table again: keep sharing the names.
  if (slot && slot->map.db == map->db && slot->map.table == map->table &&
      slot->map.columns.size() == map->columns.size()) {
    bool same = true;
    for (std::size_t i = 0; same && i < map->columns.size(); ++i) {
      same = slot->map.columns[i].name == map->columns[i].name &&
             slot->map.columns[i].type == map->columns[i].type &&
             slot->map.columns[i].meta == map->columns[i].meta;
    }
    if (same) return {};
  }
  auto table = std::make_shared<Table>();
  table->names = names_of(*map);
  table->map = std::move(*map);
  slot = std::move(table);
  return {};
}

Result<void> ChangeStream::on_rows(const pb::RawEvent& event) {
  if (!group_) return fail(codec_errc::unexpected_message);
  auto type = static_cast<EventType>(event.header.type);
  ByteView body = event.body;
  if (const auto plain = pb::uncompressed_type(event.header.type)) {
    // The compressed type's own post-header length says whether extra data is there.
    if (auto r = pb::decompress_rows(event.header.type, body, post_header_length(type), inflated_);
        !r) {
      return fail(r.error());
    }
    type = *plain;
    body = inflated_;
  }
  auto rows = pb::decode_rows_event(type, body, post_header_length(type));
  if (!rows) return fail(rows.error());
  const auto found = tables_.find(rows->table_id);
  if (found == tables_.end()) return fail(codec_errc::unexpected_message);  // no TABLE_MAP
  pending_rows_.emplace();
  pending_rows_->event = std::move(*rows);
  pending_rows_->table = found->second;
  pending_rows_->cursor.emplace(pending_rows_->event, pending_rows_->table->map);
  return {};
}

Result<std::optional<eventlog::Record>> ChangeStream::next_record() {
  while (true) {
    auto record = next_unskipped();
    if (!record) return record;
    if (!*record) {
      // The event is done: a group it ended is over only now that its records are out.
      if (group_ && group_->ended_at) finish_group();
      return record;
    }
    if (!skipped(**record)) return record;
  }
}

// A record a resume already handed out: one of the transaction it stopped in, up to its key.
bool ChangeStream::skipped(const eventlog::Record& record) {
  const auto* position = std::visit(
      [](const auto& r) -> const eventlog::ChangePosition* {
        if constexpr (requires { r.position; }) {
          return &r.position;
        } else {
          return nullptr;
        }
      },
      record);
  if (position == nullptr || !group_) return false;
  RecordKey key{group_->gtid, position->event_index, 0};
  if (const auto* row = std::get_if<eventlog::RowRecord>(&record)) key.row_index = row->row_index;
  if (skip_ && skip_->gtid == key.gtid &&
      std::pair(key.event_index, key.row_index) <=
          std::pair(skip_->event_index, skip_->row_index)) {
    return true;
  }
  last_handed_ = key;
  return false;
}

Result<std::optional<eventlog::Record>> ChangeStream::next_unskipped() {
  if (pending_record_) {
    std::optional<eventlog::Record> record = std::move(pending_record_);
    pending_record_.reset();
    return record;
  }
  if (!pending_rows_ || pending_rows_->cursor->at_end()) return std::nullopt;
  auto row = next_row();
  if (!row) return fail(row.error());
  return std::optional<eventlog::Record>(std::move(*row));
}

Result<eventlog::Record> ChangeStream::next_row() {
  auto& pending = *pending_rows_;
  eventlog::RowRecord record;
  pb::RowImage before, after;
  if (auto r = pending.cursor->next(before, after); !r) return fail(r.error());
  const auto& map = pending.table->map;
  resolve_identity();
  record.common = common_for(group_->thread_id, map.db);
  record.table = map.table;
  record.op = op_of(pending.event.kind);
  record.columns = pending.table->names;
  if (pending.event.kind != pb::RowsKind::Write) record.before = std::move(before);
  if (pending.event.kind != pb::RowsKind::Delete) record.after = std::move(after);
  record.position = change_position();
  record.row_index = pending.row_index++;
  // Once per statement: the rows after the first leave it out (an INSERT … SELECT of a million
  // rows would repeat it a million times).
  record.statement = std::exchange(group_->statement, {});
  ++group_->rows;
  ++stats_.rows;
  return eventlog::Record(std::move(record));
}

void ChangeStream::end_group(const pb::EventHeader& header) {
  if (!group_->standalone) {
    resolve_identity();
    eventlog::CommitRecord commit;
    commit.common = common_for(group_->thread_id, {});
    commit.position = change_position();
    commit.rows = group_->rows;
    pending_record_ = std::move(commit);
  }
  group_->ended_at = header.log_pos;
}

void ChangeStream::finish_group() {
  if (group_->gtid.sequence != 0) pb::advance(committed_.gtid, group_->gtid);
  last_handed_.reset();
  if (skip_ && skip_->gtid == group_->gtid) skip_.reset();
  committed_.binlog_file = file_;
  if (*group_->ended_at != 0) committed_.binlog_pos = *group_->ended_at;
  committed_moved_ = true;
  ++stats_.transactions;
  group_.reset();
}

const std::string* ChangeStream::awaiting_identity() const {
  if (options_.attribution == nullptr || !group_ || group_->identity_resolved ||
      group_->thread_id != 0 || group_->gtid_text.empty() || pending_record_ || !pending_rows_ ||
      pending_rows_->cursor->at_end()) {
    return nullptr;
  }
  return &group_->gtid_text;
}

void ChangeStream::resolve_identity() {
  if (group_->identity_resolved) return;
  group_->identity_resolved = true;
  if (group_->thread_id != 0 || options_.attribution == nullptr || group_->gtid_text.empty()) {
    return;
  }
  if (const auto connection = options_.attribution->committer(group_->gtid_text)) {
    group_->thread_id = *connection;
  }
}

eventlog::Common ChangeStream::common_for(std::uint32_t thread_id, std::string_view db) const {
  eventlog::Common common;
  common.ts = event_decoded_at_;
  common.server_conn_id = thread_id;
  if (options_.attribution != nullptr && thread_id != 0) {
    options_.attribution->identify(thread_id, common);
  }
  common.db = std::string(db);
  return common;
}

eventlog::ChangePosition ChangeStream::change_position() const {
  eventlog::ChangePosition position;
  if (group_) {
    position.gtid = group_->gtid_text;
    position.event_index = group_->event_index;
    position.commit_ts = group_->commit_ts;
  }
  position.binlog_file = file_;
  position.binlog_pos = event_pos_;
  return position;
}

}  // namespace gw::binlog
