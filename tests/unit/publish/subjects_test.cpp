// Subjects and message ids (issue 13), checked on the records decoded from the binlog captured
// from MariaDB 10.11 (binlog/captured_binlog.h lists its statements) and on names the server
// allows but a NATS subject does not.

#include "publish/subjects.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "../binlog/captured_binlog.h"

namespace gw::publish {
namespace {

std::vector<eventlog::Record> captured_changes() {
  auto stream = binlog::captured::stream_from_start();
  return binlog::captured::all_records(stream, binlog::captured::events_of_test_binlog());
}

TEST(Subjects, TheCapturedChangesGoWhereTheirKindSays) {
  std::vector<std::string> subjects, ids;
  for (const auto& record : captured_changes()) {
    subjects.push_back(subject_for(record, "gracewire"));
    ids.push_back(change_message_id(record));
  }
  // CREATE TABLE people; the two-row INSERT; the UPDATE and DELETE in one transaction; CREATE
  // TABLE myisam_t; its INSERT (MyISAM: a statement transaction); the INSERT in domain 1.
  const std::vector<std::string> expected_subjects = {
      "gracewire.changes.test",  // ddl 0-1-6
      "gracewire.changes.test.people",
      "gracewire.changes.test.people",  // 0-1-7
      "gracewire.changes",              // its commit
      "gracewire.changes.test.people",
      "gracewire.changes.test.people",  // 0-1-8
      "gracewire.changes",
      "gracewire.changes.test",           // ddl 0-1-9
      "gracewire.changes.test.myisam_t",  // 0-1-10
      "gracewire.changes",
      "gracewire.changes.test.people",  // 1-1-1
      "gracewire.changes",
  };
  EXPECT_EQ(subjects, expected_subjects);
  // The consumer's dedup key, as in the file: the GTID, the event's index in its transaction
  // (the GTID event is 0; a row transaction's events are ANNOTATE_ROWS, TABLE_MAP, the rows)
  // and, for a row, the row's index in its event.
  const std::vector<std::string> expected_ids = {
      "0-1-6:1",                             // CREATE TABLE people
      "0-1-7:3:0",  "0-1-7:3:1", "0-1-7:4",  // two rows in one event, then the XID
      "0-1-8:3:0",  "0-1-8:6:0", "0-1-8:7",  // UPDATE, DELETE (its own annotate and map)
      "0-1-9:1",                             // CREATE TABLE myisam_t
      "0-1-10:3:0", "0-1-10:4",              // MyISAM: a COMMIT query ends it
      "1-1-1:3:0",  "1-1-1:4",               // domain 1
  };
  EXPECT_EQ(ids, expected_ids);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size())
      << "every change has its own id";
}

TEST(Subjects, TheSameChangeHasTheSameIdEveryTime) {
  const auto first = captured_changes();
  const auto second = captured_changes();
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(change_message_id(first[i]), change_message_id(second[i]));
  }
}

TEST(Subjects, LifecycleAndAuditRecordsGoUnderEventsByType) {
  EXPECT_EQ(subject_for(eventlog::CloseRecord{}, "gw.eu-1"), "gw.eu-1.events.close");
  EXPECT_EQ(subject_for(eventlog::CommandRecord{}, "gracewire"), "gracewire.events.command");
  EXPECT_EQ(subject_for(eventlog::ConnectRecord{}, "gracewire"), "gracewire.events.connect");
  EXPECT_EQ(event_message_id("db-proxy-3", 1764763200000000, 42), "db-proxy-3:1764763200000000:42");
}

TEST(Subjects, NamesTheServerAllowsBecomeOneTokenEach) {
  EXPECT_EQ(subject_token("orders"), "orders");
  EXPECT_EQ(subject_token("Order_Items2"), "Order_Items2");
  EXPECT_EQ(subject_token("a.b"), "a%2Eb");  // a '.' would split the token
  EXPECT_EQ(subject_token("*"), "%2A");
  EXPECT_EQ(subject_token(">"), "%3E");
  EXPECT_EQ(subject_token("my table"), "my%20table");
  EXPECT_EQ(subject_token("pay$"), "pay%24");
  EXPECT_EQ(subject_token("a%2Eb"), "a%252Eb");  // '%' itself is escaped: no two names meet
  EXPECT_EQ(subject_token("\xC3\xA9t\xC3\xA9"), "%C3%A9t%C3%A9");  // UTF-8 "été"
  EXPECT_EQ(subject_token(""), "%");                               // no escape is a lone '%'
}

TEST(Subjects, AChangeWithoutAGtidIsKeyedByItsBinlogPosition) {
  eventlog::RowRecord row;
  row.position.binlog_file = "binlog.000003";
  row.position.binlog_pos = 1234;
  row.position.event_index = 2;
  row.row_index = 5;
  EXPECT_EQ(change_message_id(row), "@binlog.000003:1234:2:5");
}

}  // namespace
}  // namespace gw::publish
