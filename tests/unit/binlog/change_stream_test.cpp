#include "binlog/change_stream.h"

#include <gtest/gtest.h>

#include "captured_binlog.h"
#include "core/errors.h"
#include "eventlog/session_directory.h"

namespace gw::binlog {
namespace {

using captured::all_records;
using captured::events_of_test_binlog;
using captured::stream_from_start;

namespace pb = protocol::binlog;

std::string type_of(const eventlog::Record& record) {
  if (std::holds_alternative<eventlog::RowRecord>(record)) {
    const auto& row = std::get<eventlog::RowRecord>(record);
    switch (row.op) {
      case eventlog::RowRecord::Op::Insert:
        return "insert";
      case eventlog::RowRecord::Op::Update:
        return "update";
      case eventlog::RowRecord::Op::Delete:
        return "delete";
    }
  }
  if (std::holds_alternative<eventlog::DdlRecord>(record)) return "ddl";
  if (std::holds_alternative<eventlog::CommitRecord>(record)) return "commit";
  return "other";
}

TEST(ChangeStream, TurnsACapturedBinlogIntoRecords) {
  auto stream = stream_from_start();
  const auto records = all_records(stream, events_of_test_binlog());
  std::vector<std::string> types;
  types.reserve(records.size());
  for (const auto& record : records) types.push_back(type_of(record));
  EXPECT_EQ(types,
            (std::vector<std::string>{"ddl", "insert", "insert", "commit", "update", "delete",
                                      "commit", "ddl", "insert", "commit", "insert", "commit"}));
  ASSERT_EQ(records.size(), 12u);

  const auto& create = std::get<eventlog::DdlRecord>(records[0]);
  EXPECT_EQ(create.common.db, "test");
  EXPECT_EQ(create.common.server_conn_id, 5u);
  EXPECT_EQ(create.position.gtid, "0-1-6");
  EXPECT_NE(create.statement.find("CREATE TABLE people"), std::string::npos);

  const auto& ada = std::get<eventlog::RowRecord>(records[1]);
  EXPECT_EQ(ada.common.db, "test");
  EXPECT_EQ(ada.table, "people");
  ASSERT_TRUE(ada.columns);
  EXPECT_EQ(*ada.columns, (std::vector<std::string>{"id", "name", "score", "born", "bits", "tag"}));
  EXPECT_FALSE(ada.before.has_value());
  ASSERT_TRUE(ada.after.has_value());
  ASSERT_EQ(ada.after->size(), 6u);
  EXPECT_EQ((*ada.after)[0], protocol::Value(std::int64_t{1}));
  EXPECT_EQ((*ada.after)[1], protocol::Value(protocol::String{"Ada"}));
  EXPECT_EQ((*ada.after)[2], protocol::Value(protocol::Decimal{"99.50"}));
  EXPECT_EQ((*ada.after)[5], protocol::Value(protocol::String{"a"}));
  EXPECT_EQ(ada.position.gtid, "0-1-7");
  EXPECT_EQ(ada.position.binlog_file, "binlog.000002");
  EXPECT_EQ(ada.position.binlog_pos, 899u);  // the Write_rows event starts where the map ended
  EXPECT_EQ(ada.position.event_index, 3u);   // GTID 0, Annotate 1, Table_map 2, Write_rows 3
  EXPECT_EQ(ada.row_index, 0u);
  EXPECT_NE(ada.statement.find("INSERT INTO people"), std::string::npos);
  EXPECT_EQ(ada.common.server_conn_id, 0u) << "no BEGIN query names an InnoDB transaction";

  const auto& second = std::get<eventlog::RowRecord>(records[2]);
  EXPECT_EQ(second.row_index, 1u);
  EXPECT_EQ(second.position.event_index, ada.position.event_index);
  EXPECT_TRUE(second.statement.empty()) << "the statement comes with the first row only";
  EXPECT_EQ((*second.after)[1], protocol::Value(protocol::NullValue{}));
  EXPECT_EQ((*second.after)[2], protocol::Value(protocol::Decimal{"-1.25"}));

  const auto& commit = std::get<eventlog::CommitRecord>(records[3]);
  EXPECT_EQ(commit.rows, 2u);
  EXPECT_EQ(commit.position.gtid, "0-1-7");

  const auto& update = std::get<eventlog::RowRecord>(records[4]);
  ASSERT_TRUE(update.before && update.after);
  EXPECT_EQ((*update.before)[1], protocol::Value(protocol::String{"Ada"}));
  EXPECT_EQ((*update.after)[1], protocol::Value(protocol::String{"Ada L."}));
  const auto& removed = std::get<eventlog::RowRecord>(records[5]);
  EXPECT_TRUE(removed.before.has_value());
  EXPECT_FALSE(removed.after.has_value());
  EXPECT_EQ(std::get<eventlog::CommitRecord>(records[6]).rows, 2u);

  // The MyISAM insert: its COMMIT query names the connection, after the row.
  EXPECT_EQ(std::get<eventlog::CommitRecord>(records[9]).common.server_conn_id, 5u);
  EXPECT_EQ(std::get<eventlog::RowRecord>(records[10]).position.gtid, "1-1-1");

  EXPECT_EQ(pb::format_gtid_list(stream.committed().gtid), "0-1-10,1-1-1");
  EXPECT_EQ(stream.committed().binlog_file, "binlog.000002");
  EXPECT_EQ(stream.committed().binlog_pos, events_of_test_binlog().size() > 0 ? 2273u : 0u);
  EXPECT_EQ(stream.stats().rows, 6u);
  EXPECT_EQ(stream.stats().transactions, 6u);
  EXPECT_FALSE(stream.in_transaction());
}

// A proxied session of user "app" on server connection `conn`.
void open_session(eventlog::SessionDirectory& directory, std::uint64_t session, std::uint32_t conn,
                  std::string client, std::string program) {
  eventlog::Common who;
  who.session = session;
  who.server_conn_id = conn;
  who.client = std::move(client);
  who.user = "app";
  who.program = std::move(program);
  directory.opened(who);
}

TEST(ChangeStream, NamesTheSessionBehindAKnownConnection) {
  eventlog::SessionDirectory directory;
  open_session(directory, 17, 5, "127.0.0.1:50000", "billing");
  directory.closed(5);  // recently closed is still known
  auto stream = stream_from_start(&directory);
  const auto records = all_records(stream, events_of_test_binlog());
  const auto& create = std::get<eventlog::DdlRecord>(records.at(0));
  EXPECT_EQ(create.common.session, 17u);
  EXPECT_EQ(create.common.program, "billing");
  EXPECT_EQ(create.common.client, "127.0.0.1:50000");
  EXPECT_EQ(create.common.db, "test") << "the statement's database, not the session's";
}

// An InnoDB transaction names no connection; the proxy reported which connection committed it
// (last_gtid in its OK): the rows and the commit carry that session.
TEST(ChangeStream, NamesTheSessionThatReportedTheGtid) {
  eventlog::SessionDirectory directory;
  open_session(directory, 23, 9, "127.0.0.1:50001", "orders");
  directory.command_sent(9);
  directory.command_answered(9, {"0-1-7"});
  auto stream = stream_from_start(&directory);
  const auto events = events_of_test_binlog();
  std::vector<eventlog::Record> records;
  std::vector<std::string> awaited;
  for (const auto& event : events) {
    ASSERT_TRUE(stream.begin_event(event).has_value());
    while (true) {
      if (const std::string* gtid = stream.awaiting_identity()) awaited.push_back(*gtid);
      auto record = stream.next_record();
      ASSERT_TRUE(record.has_value());
      if (!*record) break;
      records.push_back(std::move(**record));
    }
  }
  // Asked before the first row of each transaction without a thread id, once each.
  EXPECT_EQ(awaited, (std::vector<std::string>{"0-1-7", "0-1-8", "0-1-10", "1-1-1"}));
  const auto& ada = std::get<eventlog::RowRecord>(records.at(1));
  EXPECT_EQ(ada.common.session, 23u);
  EXPECT_EQ(ada.common.server_conn_id, 9u);
  EXPECT_EQ(ada.common.program, "orders");
  EXPECT_EQ(std::get<eventlog::RowRecord>(records.at(2)).common.session, 23u);
  EXPECT_EQ(std::get<eventlog::CommitRecord>(records.at(3)).common.session, 23u);
  // 0-1-8 was not reported: server_conn_id stays unknown, no session is guessed.
  const auto& update = std::get<eventlog::RowRecord>(records.at(4));
  EXPECT_EQ(update.common.session, 0u);
  EXPECT_EQ(update.common.server_conn_id, 0u);
}

TEST(ChangeStream, ACorruptEventIsAnErrorNotASkip) {
  auto events = events_of_test_binlog();
  auto stream = stream_from_start();
  // The Write_rows event of GTID 0-1-7 (event 9 of the file), one byte flipped.
  bool found = false;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i][4] == static_cast<std::uint8_t>(pb::EventType::WriteRowsV1)) {
      events[i][25] ^= 0x01;
      events.resize(i + 1);
      found = true;
      break;
    }
  }
  ASSERT_TRUE(found);
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    ASSERT_TRUE(stream.begin_event(events[i]).has_value());
    while (true) {
      auto record = stream.next_record();
      ASSERT_TRUE(record.has_value());
      if (!*record) break;
    }
  }
  auto corrupt = stream.begin_event(events.back());
  ASSERT_FALSE(corrupt.has_value());
  EXPECT_EQ(corrupt.error(), codec_errc::checksum_mismatch);
  EXPECT_EQ(pb::format_gtid_list(stream.committed().gtid), "0-1-6") << "nothing past the DDL";
}

TEST(ChangeStream, RowsComeOneAtATime) {
  auto stream = stream_from_start();
  auto events = events_of_test_binlog();
  // Up to the two-row Write_rows event: the first next_record() gives one row, not both.
  for (const auto& event : events) {
    ASSERT_TRUE(stream.begin_event(event).has_value());
    if (event[4] == static_cast<std::uint8_t>(pb::EventType::WriteRowsV1)) {
      auto first = stream.next_record();
      ASSERT_TRUE(first.has_value() && first->has_value());
      EXPECT_EQ(std::get<eventlog::RowRecord>(**first).row_index, 0u);
      auto second = stream.next_record();
      ASSERT_TRUE(second.has_value() && second->has_value());
      EXPECT_EQ(std::get<eventlog::RowRecord>(**second).row_index, 1u);
      auto none = stream.next_record();
      ASSERT_TRUE(none.has_value());
      EXPECT_FALSE(none->has_value());
      return;
    }
    while (true) {
      auto record = stream.next_record();
      ASSERT_TRUE(record.has_value());
      if (!*record) break;
    }
  }
  FAIL() << "no Write_rows event";
}

}  // namespace
}  // namespace gw::binlog
