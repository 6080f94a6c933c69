// Change records (row, ddl, commit) as the exact lines the writer produces.

#include <gtest/gtest.h>

#include <string>

#include "eventlog/json.h"
#include "eventlog/json_scan.h"
#include "eventlog/json_string.h"

namespace gw::eventlog {
namespace {

using namespace std::chrono;
using protocol::binlog::RowImage;

const system_clock::time_point kTs =
    sys_days{2026y / 11 / 24} + 9h + 2min + 8s + microseconds(582'123);
const system_clock::time_point kCommitTs = sys_days{2026y / 11 / 24} + 9h + 2min + 7s;

Common common() {
  return {.ts = kTs,
          .session = 12,
          .server_conn_id = 5,
          .client = "127.0.0.1:54321",
          .user = "app",
          .db = "shop",
          .program = "mysql"};
}

ChangePosition position(std::uint64_t event_index) {
  return {.gtid = "0-1-42",
          .binlog_file = "binlog.000003",
          .binlog_pos = 1234,
          .event_index = event_index,
          .commit_ts = kCommitTs};
}

std::string head(std::string_view type) {
  return R"({"ts":"2026-11-24T09:02:08.582123Z","type":")" + std::string(type) +
         R"(","session":12,"server_conn_id":5,"client":"127.0.0.1:54321","user":"app",)"
         R"("db":"shop","program":"mysql")";
}

constexpr std::string_view kPosition =
    R"("gtid":"0-1-42","binlog_file":"binlog.000003","binlog_pos":1234,"event_index":3)";

RowRecord row(RowRecord::Op op) {
  RowRecord r{.common = common(), .table = "orders", .op = op};
  r.columns = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"id", "note", "price"});
  r.position = position(3);
  r.row_index = 7;
  return r;
}

TEST(ChangeJson, InsertHasAfterOnly) {
  RowRecord r = row(RowRecord::Op::Insert);
  r.after = RowImage{std::int64_t{1}, protocol::String{"gift"}, protocol::Decimal{"9.90"}};
  r.statement = "INSERT INTO orders VALUES (1, 'gift', 9.90)";
  EXPECT_EQ(to_json(r), head("row") +
                            R"(,"table":"orders","op":"insert",)"
                            R"("after":{"id":1,"note":"gift","price":"9.90"},)" +
                            std::string(kPosition) +
                            R"(,"row_index":7,"commit_ts":"2026-11-24T09:02:07.000000Z",)"
                            R"j("statement":"INSERT INTO orders VALUES (1, 'gift', 9.90)"})j");
}

TEST(ChangeJson, UpdateHasBothAndNoStatementWhenThereIsNone) {
  RowRecord r = row(RowRecord::Op::Update);
  r.before = RowImage{std::int64_t{1}, protocol::NullValue{}, protocol::Decimal{"9.90"}};
  r.after = RowImage{std::int64_t{1}, protocol::String{"x"}, protocol::Decimal{"10.00"}};
  EXPECT_EQ(to_json(r), head("row") +
                            R"(,"table":"orders","op":"update",)"
                            R"("before":{"id":1,"note":null,"price":"9.90"},)"
                            R"("after":{"id":1,"note":"x","price":"10.00"},)" +
                            std::string(kPosition) +
                            R"(,"row_index":7,"commit_ts":"2026-11-24T09:02:07.000000Z"})");
}

TEST(ChangeJson, DeleteHasBeforeOnlyAndLeavesOutColumnsNotInTheImage) {
  RowRecord r = row(RowRecord::Op::Delete);
  // binlog_row_image=MINIMAL: only the key.
  r.before = RowImage{std::int64_t{1}, std::nullopt, std::nullopt};
  const std::string line = to_json(r);
  EXPECT_NE(line.find(R"("op":"delete","before":{"id":1},"gtid")"), std::string::npos) << line;
  EXPECT_EQ(line.find("\"after\""), std::string::npos);
}

TEST(ChangeJson, ColumnsWithoutANameAreNumberedFromOne) {
  RowRecord r = row(RowRecord::Op::Insert);
  r.columns = std::make_shared<const std::vector<std::string>>(
      std::vector<std::string>{"id", ""});  // the third has no entry at all
  r.after = RowImage{std::int64_t{1}, std::int64_t{2}, std::int64_t{3}};
  EXPECT_NE(to_json(r).find(R"("after":{"id":1,"@2":2,"@3":3})"), std::string::npos);
  r.columns = nullptr;  // no FULL metadata
  EXPECT_NE(to_json(r).find(R"("after":{"@1":1,"@2":2,"@3":3})"), std::string::npos);
}

// Keys are rendered once per table version: switching versions back and forth, and to a version
// with other names at the same place, never shows a stale key.
TEST(ChangeJson, EachTableVersionKeepsItsOwnKeys) {
  RowRecord a = row(RowRecord::Op::Insert);
  a.after = RowImage{std::int64_t{1}, std::int64_t{2}};
  RowRecord b = a;
  b.columns =
      std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"k", "v\"q"});
  RowRecord c = a;
  c.columns = nullptr;
  for (int round = 0; round < 2; ++round) {
    EXPECT_NE(to_json(a).find(R"("after":{"id":1,"note":2})"), std::string::npos);
    EXPECT_NE(to_json(b).find(R"("after":{"k":1,"v\"q":2})"), std::string::npos);
    EXPECT_NE(to_json(c).find(R"("after":{"@1":1,"@2":2})"), std::string::npos);
  }
  // A version dropped and another made, perhaps at the same address: its own names.
  b.columns.reset();
  b.columns = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"x", "y"});
  EXPECT_NE(to_json(b).find(R"("after":{"x":1,"y":2})"), std::string::npos);
}

TEST(ChangeJson, TextThatIsNotUtf8KeepsItsExactBytesInASiblingObject) {
  RowRecord r = row(RowRecord::Op::Update);
  r.before = RowImage{std::int64_t{1}, protocol::String{"caf\xe9"}, std::nullopt};
  r.after = RowImage{std::int64_t{1}, protocol::String{"caf\xc3\xa9"}, std::nullopt};
  const std::string line = to_json(r);
  EXPECT_TRUE(is_valid_utf8(line));
  EXPECT_NE(line.find("\"before\":{\"id\":1,\"note\":\"caf\xef\xbf\xbd\"},"
                      R"("before_base64":{"note":"Y2Fm6Q=="},"after":)"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("after_base64"), std::string::npos);
  EXPECT_TRUE(scan_object(line, [](std::string_view, const JsonValue&) { return true; }));
}

TEST(ChangeJson, EveryValueKindMakesOneWellFormedObject) {
  RowRecord r = row(RowRecord::Op::Insert);
  r.columns = nullptr;
  r.after = RowImage{protocol::NullValue{},
                     std::uint64_t{18446744073709551615u},
                     0.5f,
                     -0.25,
                     protocol::Decimal{"-1.5"},
                     protocol::String{"\"\n"},
                     protocol::DateTime{.fsp = 0},
                     protocol::Time{.negative = true, .hour = 1, .fsp = 0},
                     protocol::Binary{"\xff"},
                     protocol::Geometry{.srid = 0, .wkb = "\x01"}};
  const std::string line = to_json(r);
  EXPECT_NE(line.find(R"("after":{"@1":null,"@2":18446744073709551615,"@3":0.5,"@4":-0.25,)"
                      R"("@5":"-1.5","@6":"\"\n","@7":"0000-00-00 00:00:00",)"
                      R"("@8":"-01:00:00","@9":"/w==","@10":{"srid":0,"wkb":"01"}})"),
            std::string::npos)
      << line;
  EXPECT_TRUE(scan_object(line, [](std::string_view, const JsonValue&) { return true; }));
}

TEST(ChangeJson, Ddl) {
  Common c = common();
  c.session = 0;  // run directly on the server: only its connection id is known
  c.client = c.user = c.program = "";
  const DdlRecord r{
      .common = c, .statement = "ALTER TABLE orders ADD COLUMN x INT", .position = position(1)};
  EXPECT_EQ(to_json(r),
            R"({"ts":"2026-11-24T09:02:08.582123Z","type":"ddl","session":0,"server_conn_id":5,)"
            R"("client":"","user":"","db":"shop","program":"",)"
            R"("statement":"ALTER TABLE orders ADD COLUMN x INT",)"
            R"("gtid":"0-1-42","binlog_file":"binlog.000003","binlog_pos":1234,"event_index":1,)"
            R"("commit_ts":"2026-11-24T09:02:07.000000Z"})");
}

TEST(ChangeJson, Commit) {
  const CommitRecord r{.common = common(), .position = position(3), .rows = 1000000};
  EXPECT_EQ(to_json(r), head("commit") + R"(,"rows":1000000,)" + std::string(kPosition) +
                            R"(,"commit_ts":"2026-11-24T09:02:07.000000Z"})");
}

TEST(ChangeJson, TypeNames) {
  EXPECT_EQ(type_name(RowRecord{}), "row");
  EXPECT_EQ(type_name(DdlRecord{}), "ddl");
  EXPECT_EQ(type_name(CommitRecord{}), "commit");
  EXPECT_TRUE(is_change_record(RowRecord{}));
  EXPECT_TRUE(is_change_record(CommitRecord{}));
  EXPECT_FALSE(is_change_record(CommandRecord{}));
}

}  // namespace
}  // namespace gw::eventlog
