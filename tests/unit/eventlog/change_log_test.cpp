// Change records in the EventLog: always wanted, never dropped by the queue, statements
// redacted, progress counted for the follower's checkpoint; and the tools read them.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "eventlog/json.h"
#include "eventlog/report.h"
#include "eventlog/sequence.h"
#include "eventlog/verify.h"
#include "eventlog/writer.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using namespace std::chrono_literals;
using test::close_record;
using test::Gate;
using test::GatedSink;
using test::kPrompt;
using test::member;
using test::MemorySink;
using test::TempDir;

RowRecord row(std::uint64_t row_index, std::string statement = {}) {
  RowRecord r{.table = "t", .op = RowRecord::Op::Insert};
  r.common.db = "shop";
  r.after = protocol::binlog::RowImage{std::int64_t(row_index)};
  r.position = {.gtid = "0-1-7", .binlog_file = "binlog.000001", .event_index = 2};
  r.row_index = row_index;
  r.statement = std::move(statement);
  return r;
}

// Polls until `done` or kPrompt passes.
template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + kPrompt;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Holds lines until flush(), as FileSink does, and can be told to lose them there.
class HoldingSink final : public Sink {
 public:
  explicit HoldingSink(std::shared_ptr<std::atomic<bool>> fail_flush)
      : fail_flush_(std::move(fail_flush)) {}
  SinkTally write(std::string_view) override {
    ++held_;
    return {};
  }
  SinkTally flush() override {
    const std::uint64_t held = std::exchange(held_, 0);
    if (*fail_flush_) return {.lost = held, .errors = held > 0 ? 1u : 0u};
    return {.lines = held};
  }
  bool failing() const override { return *fail_flush_; }

 private:
  std::shared_ptr<std::atomic<bool>> fail_flush_;
  std::uint64_t held_ = 0;
};

TEST(ChangeLog, ChangeRecordsIgnoreTheAuditAndLifecycleSwitches) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink(
      {.path = "memory", .audit = false, .lifecycle = false, .users = {"nobody"}}, std::move(sink));
  EXPECT_EQ(log->submit(close_record(1)), Submitted::Filtered);
  EXPECT_EQ(log->submit(row(0)), Submitted::Queued);
  EXPECT_EQ(log->submit(DdlRecord{.statement = "CREATE TABLE t (a INT)"}), Submitted::Queued);
  EXPECT_EQ(log->submit(CommitRecord{.rows = 1}), Submitted::Queued);
  log->close();
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(member(lines[0], "type"), "row");
  EXPECT_EQ(member(lines[1], "type"), "ddl");
  EXPECT_EQ(member(lines[2], "type"), "commit");
  EXPECT_EQ(log->change_progress().written, 3u);
}

TEST(ChangeLog, ADisabledLogFiltersThemAndCountsNothing) {
  auto log = EventLog::open({});
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ((*log)->submit(row(0)), Submitted::Filtered);
  EXPECT_EQ((*log)->change_progress().submitted, 0u);
}

TEST(ChangeLog, StatementsOfRowAndDdlRecordsAreRedacted) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory"}, std::move(sink));
  log->submit(DdlRecord{.statement = "CREATE USER 'bob'@'%' IDENTIFIED BY 'hunter2'"});
  log->submit(row(0, "INSERT INTO t SELECT PASSWORD('s3cret')"));
  log->close();
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(member(lines[0], "statement"), "CREATE USER '***'@'***' IDENTIFIED BY '***'");
  EXPECT_EQ(member(lines[1], "statement"), "INSERT INTO t SELECT PASSWORD('***')");
  for (const auto& line : lines) {
    EXPECT_EQ(line.find("hunter2"), std::string::npos);
    EXPECT_EQ(line.find("s3cret"), std::string::npos);
  }
}

TEST(ChangeLog, LongStatementsAreCutAndMarkedButRowValuesNeverAre) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory", .statement_limit = 10}, std::move(sink));
  RowRecord long_row = row(0, "INSERT INTO t VALUES (0)");
  long_row.after = protocol::binlog::RowImage{protocol::String{std::string(100, 'v')}};
  log->submit(std::move(long_row));
  log->submit(DdlRecord{.statement = "DROP TABLE a, b, c"});
  log->submit(DdlRecord{.statement = "DROP TABLE"});
  log->close();
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(member(lines[0], "statement"), "INSERT INT");
  EXPECT_EQ(member(lines[0], "statement_truncated"), "true");
  EXPECT_NE(lines[0].find(std::string(100, 'v')), std::string::npos);
  EXPECT_EQ(member(lines[1], "statement"), "DROP TABLE");
  EXPECT_EQ(member(lines[1], "statement_truncated"), "true");
  EXPECT_EQ(member(lines[2], "statement_truncated"), "");  // only written when cut
}

// A log whose writer is stuck in writing a first change record.
std::unique_ptr<EventLog> stuck_log(const std::shared_ptr<Gate>& gate,
                                    EventLogSettings::Loss loss) {
  auto log = EventLog::with_sink(
      {.path = "gated", .flush_interval = 10ms, .loss = loss, .queue_records = 4},
      std::make_unique<GatedSink>(gate));
  EXPECT_EQ(log->submit(row(0)), Submitted::Queued);
  EXPECT_TRUE(gate->wait_held(kPrompt));
  return log;
}

TEST(ChangeLog, TheDropPolicyNeverDropsAChangeRecordEvenPastTheCeiling) {
  for (const auto loss : {EventLogSettings::Loss::Drop, EventLogSettings::Loss::Block}) {
    auto gate = std::make_shared<Gate>();
    auto log = stuck_log(gate, loss);
    std::vector<Submitted> results;
    for (std::uint64_t i = 1; i <= 20; ++i) results.push_back(log->submit(row(i)));
    // queue_records = 4: the fourth waiting reaches the limit; the ceiling (8) does not apply.
    for (std::size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i], i < 3 ? Submitted::Queued : Submitted::OverLimit) << i;
    }
    EXPECT_FALSE(log->has_room());
    EXPECT_EQ(log->stats().queue_depth, 20u);
    // Other records still obey the policy: dropped at the limit (Drop) or past the ceiling.
    EXPECT_EQ(log->submit(close_record(1)), Submitted::Dropped);
    gate->release();
    log->close();
    // 21 rows in order, and the "dropped" notice for the close record wherever the writer
    // flushed first.
    std::vector<std::string> rows, notices;
    for (const auto& line : gate->lines()) {
      (member(line, "type") == "row" ? rows : notices).push_back(line);
    }
    ASSERT_EQ(rows.size(), 21u);
    for (std::uint64_t i = 0; i <= 20; ++i) {
      EXPECT_EQ(member(rows[i], "row_index"), std::to_string(i));
    }
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(member(notices[0], "type"), "dropped");
    EXPECT_EQ(member(notices[0], "count"), "1");
    const auto progress = log->change_progress();
    EXPECT_EQ(progress.submitted, 21u);
    EXPECT_EQ(progress.written, 21u);
    EXPECT_EQ(progress.lost, 0u);
  }
}

TEST(ChangeLog, ARoomCallbackFollowsAnOverLimitChangeRecordUnderTheDropPolicy) {
  auto gate = std::make_shared<Gate>();
  auto log = stuck_log(gate, EventLogSettings::Loss::Drop);
  std::promise<void> room;
  auto called = room.get_future();
  std::once_flag once;
  auto subscription = log->on_room([&] { std::call_once(once, [&] { room.set_value(); }); });
  for (std::uint64_t i = 1; i <= 4; ++i) log->submit(row(i));
  gate->release();
  EXPECT_EQ(called.wait_for(kPrompt), std::future_status::ready);
  subscription.reset();
  log->close();
}

TEST(ChangeLog, WrittenCountsOnlyLinesTheSinkTookAndNeverALostOne) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory", .flush_interval = 5ms, .hash_chain = true},
                                 std::move(sink));
  for (std::uint64_t i = 0; i < 3; ++i) log->submit(row(i));
  ASSERT_TRUE(eventually([&] { return log->change_progress().written == 3; }));
  EXPECT_EQ(log->change_progress().lost, 0u);

  memory.set_fail(true);  // disk full
  log->submit(row(3));
  log->submit(close_record(1));
  log->submit(row(4));
  ASSERT_TRUE(eventually([&] { return log->change_progress().lost == 2; }));
  auto progress = log->change_progress();
  EXPECT_EQ(progress.submitted, 5u);
  EXPECT_EQ(progress.written, 3u);

  memory.set_fail(false);
  log->submit(row(5));
  ASSERT_TRUE(eventually([&] { return log->change_progress().written == 4; }));
  log->close();
  progress = log->change_progress();
  EXPECT_EQ(progress.submitted, 6u);
  EXPECT_EQ(progress.written, 4u);
  EXPECT_EQ(progress.lost, 2u);
  // What the sink holds agrees: four rows and the notice of the three lost lines.
  std::uint64_t rows = 0;
  for (const auto& line : memory.lines()) {
    if (member(line, "type") == "row") ++rows;
    if (member(line, "type") == "dropped") {
      EXPECT_EQ(member(line, "count"), "3");
    }
  }
  EXPECT_EQ(rows, progress.written);
}

TEST(ChangeLog, LinesHeldBackCountOnlyOnceTheFlushHandedThemOver) {
  auto fail_flush = std::make_shared<std::atomic<bool>>(true);
  auto log = EventLog::with_sink({.path = "held", .flush_interval = 5ms},
                                 std::make_unique<HoldingSink>(fail_flush));
  for (std::uint64_t i = 0; i < 3; ++i) log->submit(row(i));
  ASSERT_TRUE(eventually([&] { return log->change_progress().lost == 3; }));
  EXPECT_EQ(log->change_progress().written, 0u);
  *fail_flush = false;
  log->submit(row(3));
  log->submit(CommitRecord{.rows = 4});
  ASSERT_TRUE(eventually([&] { return log->change_progress().written == 2; }));
  log->close();
  const auto progress = log->change_progress();
  EXPECT_EQ(progress.submitted, 5u);
  EXPECT_EQ(progress.written, 2u);
  EXPECT_EQ(progress.lost, 3u);
}

TEST(ChangeLog, WhatCloseLeavesUnwrittenIsLostAndLaterSubmitsAreRefused) {
  auto gate = std::make_shared<Gate>();
  {
    auto log = stuck_log(gate, EventLogSettings::Loss::Block);
    for (std::uint64_t i = 1; i <= 3; ++i) log->submit(row(i));
    log->close(50ms);
    auto progress = log->change_progress();
    EXPECT_EQ(progress.submitted, 4u);
    EXPECT_EQ(progress.written, 0u);
    EXPECT_EQ(progress.lost, 4u);
    EXPECT_EQ(log->submit(row(9)), Submitted::Dropped);
    progress = log->change_progress();
    EXPECT_EQ(progress.submitted, 5u);
    EXPECT_EQ(progress.lost, 5u);
  }
  gate->release();
  EXPECT_TRUE(gate->wait_sink_destroyed(kPrompt));
}

std::string log_with_changes(const TempDir& dir) {
  const std::string path = dir.file("events.log");
  auto log = EventLog::open({.path = path, .hash_chain = true});
  EXPECT_TRUE(log.has_value());
  CloseRecord close = close_record(1);
  close.common.program = "mysql";
  close.duration_ms = 5;
  (*log)->submit(std::move(close));
  (*log)->submit(DdlRecord{.statement = "CREATE TABLE t (a INT)"});
  RowRecord changed = row(0);
  changed.after = protocol::binlog::RowImage{protocol::String{"caf\xe9"}};
  (*log)->submit(std::move(changed));
  (*log)->submit(CommitRecord{.rows = 1});
  (*log)->close();
  return path;
}

TEST(ChangeLog, VerifyChecksTheChainOverChangeRecords) {
  TempDir dir;
  const std::string path = log_with_changes(dir);
  const auto outcome = verify_chain({path});
  EXPECT_TRUE(outcome.ok) << outcome.problem;
  EXPECT_EQ(outcome.records, 4u);
  // An edited row value is caught like any edit.
  std::string text = test::read_file(path);
  const auto at = text.find("\"after\":{\"@1\":");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, "\"afteR");
  test::write_file(path, text);
  EXPECT_FALSE(verify_chain({path}).ok);
}

TEST(ChangeLog, ReportIgnoresChangeRecordsQuietly) {
  TempDir dir;
  const std::string path = log_with_changes(dir);
  auto summary = build_report({path}, ReportBy::Program);
  ASSERT_TRUE(summary.has_value()) << summary.error();
  EXPECT_EQ(summary->lines, 4u);
  EXPECT_EQ(summary->records, 4u);
  EXPECT_EQ(summary->skipped_lines, 0u);
  EXPECT_EQ(summary->sessions, 1u);
  ASSERT_EQ(summary->groups.size(), 1u);
  EXPECT_EQ(summary->groups[0].key, "mysql");
  std::ostringstream out, err;
  EXPECT_EQ(run_report({path}, ReportBy::Program, false, out, err), 0);
  EXPECT_EQ(err.str(), "");
}

// An outlet that keeps the lines handed to it and confirms change records when told to.
class RecordingOutlet final : public Outlet {
 public:
  void take(const Record* record, std::string_view line, std::uint64_t sequence) override {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
    sequences_.push_back(sequence);
    types_.emplace_back(record != nullptr ? std::string(type_name(*record)) : "notice");
  }
  ChangeTally changes() const override {
    std::lock_guard lock(mutex_);
    return tally_;
  }
  void confirm(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    tally_.confirmed += n;
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }
  std::vector<std::string> types() const {
    std::lock_guard lock(mutex_);
    return types_;
  }
  std::vector<std::uint64_t> sequences() const {
    std::lock_guard lock(mutex_);
    return sequences_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_, types_;
  std::vector<std::uint64_t> sequences_;
  ChangeTally tally_;
};

TEST(ChangeLogOutlet, GetsTheSameSealedLinesAsTheFileWithTheirRecords) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto outlet = std::make_shared<RecordingOutlet>();
  auto log =
      EventLog::with_sink({.path = "memory"}, std::move(sink), std::string(kGenesisHash), outlet);
  log->submit(close_record(1));
  log->submit(row(0));
  log->close();
  ASSERT_EQ(memory.lines().size(), 2u);
  EXPECT_EQ(outlet->lines(), memory.lines()) << "byte for byte, hash chain included";
  EXPECT_EQ(outlet->types(), (std::vector<std::string>{"close", "row"}));
  EXPECT_EQ(outlet->sequences(), (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(sequence_of(outlet->lines()[1]), 2u);
}

TEST(ChangeLogOutlet, AChangeIsWrittenOnlyOnceTheOutletConfirmedItToo) {
  auto outlet = std::make_shared<RecordingOutlet>();
  auto log = EventLog::with_sink({.path = "memory"}, std::make_unique<MemorySink>(),
                                 std::string(kGenesisHash), outlet);
  for (std::uint64_t i = 0; i < 3; ++i) log->submit(row(i));
  ASSERT_TRUE(eventually([&] { return outlet->lines().size() == 3; }));
  log->close();  // the file has all three
  EXPECT_EQ(log->change_progress().written, 0u) << "the stream has none yet";
  outlet->confirm(2);
  EXPECT_EQ(log->change_progress().written, 2u);
  outlet->confirm(1);
  EXPECT_EQ(log->change_progress().written, 3u);
  EXPECT_EQ(log->change_progress().lost, 0u);
}

TEST(ChangeLogOutlet, WithoutAFileTheLogPublishesOnly) {
  auto outlet = std::make_shared<RecordingOutlet>();
  auto log = EventLog::open({}, outlet);  // no path
  ASSERT_TRUE(log.has_value());
  EXPECT_TRUE((*log)->enabled());
  EXPECT_EQ((*log)->submit(row(0)), Submitted::Queued);
  EXPECT_EQ((*log)->submit(close_record(2)), Submitted::Queued);
  (*log)->close();
  EXPECT_EQ(outlet->types(), (std::vector<std::string>{"row", "close"}));
  EXPECT_EQ((*log)->change_progress().written, 0u);
  outlet->confirm(1);
  EXPECT_EQ((*log)->change_progress().written, 1u);
}

}  // namespace
}  // namespace gw::eventlog
