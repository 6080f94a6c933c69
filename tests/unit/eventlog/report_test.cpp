// gracewire report over generated logs: counts, shares, medians and p99 per group.

#include "eventlog/report.h"

#include <gtest/gtest.h>

#include <sstream>

#include "eventlog/duration_histogram.h"
#include "eventlog/json.h"
#include "eventlog/report_output.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using test::TempDir;
using test::write_file;

std::string close_line(std::uint64_t session, std::string_view program, std::string_view kind,
                       std::int64_t duration_ms, std::string_view client = "10.0.0.1:5000",
                       std::string_view user = "app") {
  CloseRecord record;
  record.common.session = session;
  record.common.program = program;
  record.common.client = client;
  record.common.user = user;
  record.close_kind = kind;
  record.duration_ms = duration_ms;
  return to_json(record) + "\n";
}

std::string auth_line(std::uint64_t session, std::string_view name, std::string_view version) {
  AuthRecord record;
  record.common.session = session;
  record.ok = true;
  record.attributes = {{"_client_name", std::string(name)},
                       {"_client_version", std::string(version)},
                       {"_os", "Linux"}};
  return to_json(record) + "\n";
}

std::string connect_line(std::uint64_t session) {
  ConnectRecord record;
  record.common.session = session;
  return to_json(record) + "\n";
}

const GroupSummary* group(const ReportSummary& summary, std::string_view key) {
  for (const auto& g : summary.groups) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

std::uint64_t kind_count(const GroupSummary& g, std::string_view kind) {
  for (const auto& [name, count] : g.close_kinds) {
    if (name == kind) return count;
  }
  return 0;
}

// mysql: 10 sessions of 1..10 ms (7 com_quit, 2 fin_without_quit, 1 rst);
// php: 4 sessions of 100..400 ms, all mid_result; plus noise the report must skip or ignore.
std::string sample_log() {
  std::string log;
  const char* const kinds[] = {"com_quit", "com_quit",        "com_quit", "fin_without_quit",
                               "com_quit", "com_quit",        "rst",      "com_quit",
                               "com_quit", "fin_without_quit"};
  for (int i = 0; i < 10; ++i) {
    log += connect_line(static_cast<std::uint64_t>(i));
    log += close_line(static_cast<std::uint64_t>(i), "mysql", kinds[i], i + 1);
  }
  for (int i = 0; i < 4; ++i) {
    log += close_line(100 + static_cast<std::uint64_t>(i), "php", "mid_result",
                      std::int64_t{i + 1} * 100, "[::1]:6000", "web");
  }
  log += "not json at all\n";
  log += R"({"ts":"2026-11-24T09:02:08.582123Z","type":"command","session":1})"
         "\n";
  return log;
}

TEST(Report, CountsSharesMediansAndP99PerProgram) {
  TempDir dir;
  write_file(dir.file("events.log"), sample_log());
  const auto summary = build_report({dir.file("events.log")}, ReportBy::Program);
  ASSERT_TRUE(summary) << summary.error();
  EXPECT_EQ(summary->sessions, 14u);
  EXPECT_EQ(summary->lines, 26u);
  EXPECT_EQ(summary->skipped_lines, 1u);
  EXPECT_EQ(summary->records, 25u);
  ASSERT_EQ(summary->groups.size(), 2u);
  EXPECT_EQ(summary->groups[0].key, "mysql");  // most sessions first

  const auto& mysql = summary->groups[0];
  EXPECT_EQ(mysql.sessions, 10u);
  EXPECT_EQ(mysql.left_without_quit, 3u);
  EXPECT_EQ(kind_count(mysql, "com_quit"), 7u);
  EXPECT_EQ(kind_count(mysql, "fin_without_quit"), 2u);
  EXPECT_EQ(kind_count(mysql, "rst"), 1u);
  EXPECT_EQ(mysql.close_kinds.front().first, "com_quit");  // most frequent first
  EXPECT_EQ(mysql.median_ms, 5);
  EXPECT_EQ(mysql.p99_ms, 10);

  const auto* php = group(*summary, "php");
  ASSERT_NE(php, nullptr);
  EXPECT_EQ(php->sessions, 4u);
  EXPECT_EQ(php->left_without_quit, 4u);
  EXPECT_EQ(php->median_ms, 200);
  EXPECT_EQ(php->p99_ms, 400);
}

TEST(Report, GroupsByUserAndByAddress) {
  TempDir dir;
  write_file(dir.file("events.log"), sample_log());
  const auto by_user = build_report({dir.file("events.log")}, ReportBy::User);
  ASSERT_TRUE(by_user);
  ASSERT_NE(group(*by_user, "app"), nullptr);
  EXPECT_EQ(group(*by_user, "app")->sessions, 10u);
  EXPECT_EQ(group(*by_user, "web")->sessions, 4u);
  const auto by_address = build_report({dir.file("events.log")}, ReportBy::Address);
  ASSERT_TRUE(by_address);
  ASSERT_NE(group(*by_address, "10.0.0.1"), nullptr);
  ASSERT_NE(group(*by_address, "::1"), nullptr);
  EXPECT_EQ(group(*by_address, "::1")->sessions, 4u);
}

TEST(Report, GroupsByLibraryThroughTheAuthRecord) {
  TempDir dir;
  std::string log;
  log += connect_line(1) + auth_line(1, "libmariadb", "3.3.8");
  log += connect_line(2) + auth_line(2, "pymysql", "1.0.2");
  log += connect_line(3);  // left before authenticating
  log += close_line(2, "", "com_quit", 5);
  log += close_line(1, "", "rst", 7);
  log += close_line(3, "", "handshake_abort", 1);
  // A later run reuses session id 1: its connect record forgets the old library.
  log += connect_line(1) + close_line(1, "", "handshake_abort", 2);
  write_file(dir.file("events.log"), log);
  const auto summary = build_report({dir.file("events.log")}, ReportBy::Library);
  ASSERT_TRUE(summary) << summary.error();
  ASSERT_NE(group(*summary, "libmariadb 3.3.8"), nullptr);
  EXPECT_EQ(kind_count(*group(*summary, "libmariadb 3.3.8"), "rst"), 1u);
  EXPECT_EQ(group(*summary, "pymysql 1.0.2")->sessions, 1u);
  EXPECT_EQ(group(*summary, "(unknown)")->sessions, 2u);
}

TEST(Report, EmptyProgramIsNone) {
  TempDir dir;
  write_file(dir.file("events.log"), close_line(1, "", "com_quit", 5));
  const auto summary = build_report({dir.file("events.log")}, ReportBy::Program);
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->groups.size(), 1u);
  EXPECT_EQ(summary->groups[0].key, "(none)");
}

TEST(Report, ReadsRotatedFilesToo) {
  TempDir dir;
  write_file(dir.file("events.log.2"), close_line(1, "a", "com_quit", 1));
  write_file(dir.file("events.log.1"), close_line(2, "a", "com_quit", 1));
  write_file(dir.file("events.log"), close_line(3, "a", "rst", 1));
  std::ostringstream out, err;
  EXPECT_EQ(run_report({dir.file("events.log")}, ReportBy::Program, true, out, err), 0);
  EXPECT_EQ(out.str(),
            R"({"by":"program","files":[")" + dir.file("events.log.2") + R"(",")" +
                dir.file("events.log.1") + R"(",")" + dir.file("events.log") +
                R"("],"lines":3,"records":3,"sessions":3,"skipped_lines":0,"dropped":0,)"
                R"("groups":[)"
                R"({"key":"a","sessions":3,"left_without_quit":1,"median_ms":1,"p99_ms":1,)"
                R"("close_kinds":{"com_quit":2,"rst":1}}]})"
                "\n");
}

TEST(Report, TableShowsEveryGroup) {
  TempDir dir;
  write_file(dir.file("events.log"), sample_log());
  std::ostringstream out, err;
  EXPECT_EQ(run_report({dir.file("events.log")}, ReportBy::Program, false, out, err), 0);
  const std::string table = out.str();
  EXPECT_NE(table.find("14 sessions by program from 1 file (26 lines, 1 not records, skipped)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("com_quit 70.0%, fin_without_quit 20.0%, rst 10.0%"), std::string::npos)
      << table;
  EXPECT_NE(table.find("mid_result 100.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("3  30.0%"), std::string::npos) << table;
}

TEST(Report, SaysWhenTheLogLostRecords) {
  TempDir dir;
  std::string dropped;
  append_json(dropped, DroppedNotice{.count = 12, .reason = kDroppedQueueFull});
  write_file(dir.file("events.log"), close_line(1, "a", "com_quit", 1) + dropped + "\n");
  std::ostringstream out, err;
  EXPECT_EQ(run_report({dir.file("events.log")}, ReportBy::Program, false, out, err), 0);
  EXPECT_NE(out.str().find("warning: the log says 12 records were dropped"), std::string::npos)
      << out.str();
}

TEST(Report, MissingFileIsAnError) {
  std::ostringstream out, err;
  EXPECT_EQ(run_report({"/nonexistent/events.log"}, ReportBy::Program, false, out, err), 1);
  EXPECT_NE(err.str().find("cannot open /nonexistent/events.log"), std::string::npos);
}

TEST(DurationHistogram, IsExactBelow128AndWithinHalfAPercentAbove) {
  DurationHistogram small;
  for (int v = 1; v <= 100; ++v) small.add(v);
  EXPECT_EQ(small.percentile(50), 50);
  EXPECT_EQ(small.percentile(99), 99);
  EXPECT_EQ(small.percentile(100), 100);

  DurationHistogram large;
  for (std::int64_t v = 1; v <= 1'000'000; ++v) large.add(v);
  EXPECT_NEAR(static_cast<double>(large.percentile(50)), 500'000.0, 500'000.0 * 0.004);
  EXPECT_NEAR(static_cast<double>(large.percentile(99)), 990'000.0, 990'000.0 * 0.004);

  DurationHistogram empty;
  EXPECT_EQ(empty.percentile(50), 0);
  DurationHistogram negative;
  negative.add(-5);
  EXPECT_EQ(negative.percentile(50), 0);
  DurationHistogram huge;
  huge.add(INT64_MAX);
  EXPECT_NEAR(static_cast<double>(huge.percentile(50)), 9.2233720368547758e18, 9.3e18 * 0.004);
}

}  // namespace
}  // namespace gw::eventlog
