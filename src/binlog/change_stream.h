#pragma once
// ChangeStream turns binlog events into change records, sans-IO: one whole event in, its
// records out one at a time, so that the follower can stop between two rows when the record
// sink is full and a 10-million-row transaction never sits decoded in memory.
//
//   begin_event(event) --> next_record() ... until nullopt --> begin_event(next event)
//
// What it follows across events:
//   FORMAT_DESCRIPTION   post-header lengths and the checksum of the events after it
//   ROTATE               the current binlog file (the artificial one at dump start, too)
//   GTID                 a transaction (or one standalone DDL) begins: event_index 0
//   QUERY BEGIN          the connection that made the transaction (server_conn_id); without
//                        one (InnoDB), the directory's connection for the GTID, if known
//   ANNOTATE_ROWS        the statement behind the next rows (on the first of them)
//   TABLE_MAP            the table model for the next row events (from FULL metadata)
//   *_ROWS*              one "row" record per row
//   XID / QUERY COMMIT   a "commit" record; the committed position advances
//   QUERY (other)        a "ddl" record; a standalone one also ends its group
//   HEARTBEAT            outside a transaction, the position advances (idle streams)
// An event type it does not know is counted and skipped outside a transaction; inside one it is
// an error unless the server flagged it ignorable: rows are never skipped silently.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "eventlog/record.h"
#include "eventlog/session_directory.h"
#include "protocol/binlog/event.h"
#include "protocol/binlog/events.h"
#include "protocol/binlog/gtid.h"
#include "protocol/binlog/rows.h"
#include "protocol/binlog/table_map.h"

namespace gw::binlog {

// A record's place in the binlog: the key consumers deduplicate on.
struct RecordKey {
  protocol::binlog::Gtid gtid;
  std::uint64_t event_index = 0;
  std::uint64_t row_index = 0;
  friend bool operator==(const RecordKey&, const RecordKey&) = default;
};

// Where the stream stands after the last whole transaction: what a checkpoint keeps and a
// resume starts from.
struct StreamPosition {
  protocol::binlog::GtidList gtid;  // the last committed transaction of each domain
  std::string binlog_file;
  std::uint64_t binlog_pos = 0;  // the next event after that transaction (or heartbeat)
  // The last record already handed out of the transaction after it, when the stream stopped in
  // the middle of one: a resume skips the records up to it, so none is emitted twice.
  std::optional<RecordKey> open;
  friend bool operator==(const StreamPosition&, const StreamPosition&) = default;
};

struct ChangeStreamStats {
  std::uint64_t events = 0;
  std::uint64_t rows = 0;
  std::uint64_t transactions = 0;
  std::uint64_t ddl = 0;
  std::uint64_t heartbeats = 0;
  std::uint64_t skipped_unknown = 0;  // unknown event types outside a transaction

  ChangeStreamStats& operator+=(const ChangeStreamStats& other) {
    events += other.events;
    rows += other.rows;
    transactions += other.transactions;
    ddl += other.ddl;
    heartbeats += other.heartbeats;
    skipped_unknown += other.skipped_unknown;
    return *this;
  }
};

// ChangeStream's state between events (outside the class: clang needs them complete before
// std::optional of them is instantiated in it).
namespace change_stream_detail {

// A transaction (or standalone statement) between its GTID event and its end.
struct Group {
  protocol::binlog::Gtid gtid;
  std::string gtid_text;  // formatted once, for every record of the group; empty without GTID
  bool standalone = false;
  std::uint64_t event_index = 0;  // of the current event; the GTID event is 0
  std::uint32_t thread_id = 0;
  // The connection was looked up by GTID (once, before the group's first row or its commit).
  bool identity_resolved = false;
  std::string statement;  // the last ANNOTATE_ROWS
  std::uint64_t rows = 0;
  std::chrono::system_clock::time_point commit_ts;
  // The group's last event was read: the group ends once its last record is handed out.
  std::optional<std::uint32_t> ended_at;  // that event's log_pos
};
// A table version: the map and the column names every row record shares.
struct Table {
  protocol::binlog::TableMap map;
  std::shared_ptr<const std::vector<std::string>> names;
};
// Rows still to hand out from the current row event.
struct PendingRows {
  protocol::binlog::RowsEvent event;
  std::shared_ptr<const Table> table;
  std::optional<protocol::binlog::RowCursor> cursor;
  std::uint64_t row_index = 0;
};

}  // namespace change_stream_detail

class ChangeStream {
 public:
  struct Options {
    // The checksum of the events before the first FORMAT_DESCRIPTION (the artificial ROTATE):
    // the one the dump connection asked for with @master_binlog_checksum.
    protocol::binlog::Checksum initial_checksum = protocol::binlog::Checksum::Crc32;
    // Statements (ANNOTATE_ROWS, DDL) longer than this are cut before they are copied.
    std::size_t statement_limit = 4096;
    const eventlog::SessionDirectory* attribution = nullptr;  // null: server_conn_id only
  };

  ChangeStream(Options options, StreamPosition start);

  // One whole event: header, body and checksum, as the dump sends it after its 0x00. Verifies
  // the checksum and decodes what the event says about the stream. Errors leave the stream
  // unusable: the follower reconnects and resumes from committed().
  [[nodiscard]] Result<void> begin_event(ByteView event);
  // The next record of the current event, or nullopt when it has no more. Rows are decoded
  // here, one per call.
  [[nodiscard]] Result<std::optional<eventlog::Record>> next_record();

  // The position after the last whole transaction (or heartbeat outside one).
  const StreamPosition& committed() const { return committed_; }
  // committed(), plus the key of the last record handed out of the transaction in progress:
  // where a resume continues without repeating a record.
  StreamPosition resume_point() const;
  // True once after each event that moved committed(); reading it clears it.
  bool take_committed_moved() { return std::exchange(committed_moved_, false); }
  bool in_transaction() const { return group_.has_value(); }
  // The GTID of the transaction whose first row comes next when the binlog does not say which
  // connection made it and the attribution directory might learn it by GTID (AttributionGate);
  // null otherwise.
  const std::string* awaiting_identity() const;
  // The timestamp of the last event that was not a heartbeat (for the lag), 0 before any.
  std::uint32_t last_event_timestamp() const { return last_timestamp_; }
  // The last event was a heartbeat: the server had nothing newer to send (the lag is 0).
  bool caught_up() const { return caught_up_; }
  const ChangeStreamStats& stats() const { return stats_; }

 private:
  using Group = change_stream_detail::Group;
  using Table = change_stream_detail::Table;
  using PendingRows = change_stream_detail::PendingRows;

  [[nodiscard]] Result<void> on_event(const protocol::binlog::RawEvent& event);
  [[nodiscard]] Result<void> on_query(const protocol::binlog::RawEvent& event, ByteView body);
  [[nodiscard]] Result<void> on_table_map(const protocol::binlog::RawEvent& event);
  [[nodiscard]] Result<void> on_rows(const protocol::binlog::RawEvent& event);
  [[nodiscard]] Result<void> on_unknown(const protocol::binlog::RawEvent& event);
  [[nodiscard]] Result<std::optional<eventlog::Record>> next_unskipped();
  [[nodiscard]] Result<eventlog::Record> next_row();
  bool skipped(const eventlog::Record& record);
  void end_group(const protocol::binlog::EventHeader& header);
  void finish_group();
  void resolve_identity();
  eventlog::Common common_for(std::uint32_t thread_id, std::string_view db) const;
  eventlog::ChangePosition change_position() const;
  std::uint8_t post_header_length(protocol::binlog::EventType type) const;
  std::string cut(std::string_view statement) const;

  Options options_;
  protocol::binlog::Checksum checksum_;
  std::optional<protocol::binlog::FormatDescription> format_;
  std::string file_;             // the binlog file the current event is in
  std::uint64_t event_pos_ = 0;  // where the current event starts in it
  protocol::binlog::EventHeader header_{};
  std::optional<Group> group_;
  std::unordered_map<std::uint64_t, std::shared_ptr<const Table>> tables_;
  std::optional<PendingRows> pending_rows_;
  std::optional<eventlog::Record> pending_record_;  // the one record a non-row event makes
  std::optional<RecordKey> last_handed_;            // in the open group
  std::optional<RecordKey> skip_;  // a resume's: records up to it were handed out before
  Bytes inflated_;                 // the body of a compressed event, uncompressed
  StreamPosition committed_;
  bool committed_moved_ = false;
  std::uint32_t last_timestamp_ = 0;
  bool caught_up_ = false;
  std::chrono::system_clock::time_point event_decoded_at_{};
  ChangeStreamStats stats_;
};

}  // namespace gw::binlog
