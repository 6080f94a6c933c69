// EventLog: the writer thread, rotation, the loss policies, failures and the hash chain, with
// real files where the behaviour is about files.

#include "eventlog/writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "eventlog/json_scan.h"
#include "eventlog/rotated_files.h"
#include "eventlog/sequence.h"
#include "eventlog/verify.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using test::member;

using namespace std::chrono_literals;
using test::CapturedDiagnostics;
using test::MemorySink;
using test::read_lines;
using test::TempDir;

CloseRecord close_record(std::uint64_t session) {
  CloseRecord record;
  record.common.ts = std::chrono::system_clock::now();
  record.common.session = session;
  record.common.client = "127.0.0.1:40000";
  record.close_kind = "com_quit";
  record.upstream_close = "com_quit_eof";
  return record;
}

std::unique_ptr<EventLog> open_log(EventLogSettings settings) {
  auto log = EventLog::open(std::move(settings));
  EXPECT_TRUE(log) << log.error();
  return log ? std::move(*log) : nullptr;
}

TEST(EventLog, WritesOneLinePerRecordAndCloseFlushes) {
  TempDir dir;
  auto log = open_log({.path = dir.file("events.log")});
  for (std::uint64_t s = 1; s <= 3; ++s) log->submit(close_record(s));
  log->close();
  const auto lines = read_lines(dir.file("events.log"));
  ASSERT_EQ(lines.size(), 3u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(member(lines[i], "type"), "close");
    EXPECT_EQ(member(lines[i], "session"), std::to_string(i + 1));
  }
  const Stats stats = log->stats();
  EXPECT_EQ(stats.written, 3u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.bytes, std::filesystem::file_size(dir.file("events.log")));
  log->close();  // idempotent
}

TEST(EventLog, RecordsReachTheFileWithinTheFlushInterval) {
  TempDir dir;
  auto log = open_log({.path = dir.file("events.log"), .flush_interval = 50ms});
  log->submit(close_record(1));
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (read_lines(dir.file("events.log")).empty() &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(read_lines(dir.file("events.log")).size(), 1u);
}

TEST(EventLog, RotationLosesAndDuplicatesNothing) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  constexpr std::uint64_t kRotateBytes = 4000;
  auto log = open_log({.path = path, .rotate_bytes = kRotateBytes, .rotate_keep = 100});
  constexpr std::uint64_t kRecords = 500;
  for (std::uint64_t s = 0; s < kRecords; ++s) log->submit(close_record(s));
  log->close();

  const auto files = with_rotated({path});
  ASSERT_GT(files.size(), 10u);
  std::vector<std::uint64_t> sessions;
  for (const auto& file : files) {
    EXPECT_LE(std::filesystem::file_size(file), kRotateBytes) << file;
    for (const auto& line : read_lines(file))
      sessions.push_back(std::stoull(member(line, "session")));
  }
  ASSERT_EQ(sessions.size(), kRecords);
  for (std::uint64_t s = 0; s < kRecords; ++s) EXPECT_EQ(sessions[s], s);
}

TEST(EventLog, RotationKeepsOnlyRotateKeepFiles) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  auto log = open_log({.path = path, .rotate_bytes = 1000, .rotate_keep = 2});
  for (std::uint64_t s = 0; s < 100; ++s) log->submit(close_record(s));
  log->close();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(path + ".3"));
  // The newest records are the ones kept.
  EXPECT_EQ(member(read_lines(path).back(), "session"), "99");
}

TEST(EventLog, DropPolicyCountsWhatItDropsAndWritesItDown) {
  CapturedDiagnostics diagnostics;
  auto sink = std::make_unique<MemorySink>(2ms);
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory",
                                  .flush_interval = 20ms,
                                  .loss = EventLogSettings::Loss::Drop,
                                  .queue_records = 4},
                                 std::move(sink));
  constexpr std::uint64_t kSubmitted = 300;
  for (std::uint64_t s = 0; s < kSubmitted; ++s) log->submit(close_record(s));
  log->close();

  const Stats stats = log->stats();
  EXPECT_GT(stats.dropped, 0u);
  std::uint64_t records = 0, notices = 0, reported = 0;
  for (const auto& line : memory.lines()) {
    if (member(line, "type") == "dropped") {
      ++notices;
      reported += std::stoull(member(line, "count"));
      EXPECT_EQ(member(line, "reason"), "queue_full");
      EXPECT_LE(member(line, "since"), member(line, "until"));
    } else {
      ++records;
    }
  }
  EXPECT_GE(notices, 1u);
  EXPECT_EQ(reported, stats.dropped);
  EXPECT_EQ(records + stats.dropped, kSubmitted);
  EXPECT_EQ(stats.written, records + notices);
  EXPECT_GE(diagnostics.count("dropped"), 1u) << diagnostics.text();
}

// The producer pauses on OverLimit until the room callback, as the proxy pauses a session.
TEST(EventLog, BlockPolicyLosesNothingWhenTheProducerPauses) {
  auto sink = std::make_unique<MemorySink>(200us);
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink(
      {.path = "memory", .loss = EventLogSettings::Loss::Block, .queue_records = 4},
      std::move(sink));
  std::mutex mutex;
  std::condition_variable room;
  auto subscription = log->on_room([&] {
    std::lock_guard lock(mutex);
    room.notify_all();
  });
  constexpr std::uint64_t kSubmitted = 300;
  std::uint64_t pauses = 0;
  for (std::uint64_t s = 0; s < kSubmitted; ++s) {
    if (log->submit(close_record(s)) != Submitted::OverLimit) continue;
    ++pauses;
    std::unique_lock lock(mutex);
    ASSERT_TRUE(room.wait_for(lock, 5s, [&] { return log->has_room(); }));
  }
  subscription.reset();
  log->close();
  EXPECT_GT(pauses, 0u);
  EXPECT_EQ(log->stats().over_limit, pauses);
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), kSubmitted);
  for (std::uint64_t s = 0; s < kSubmitted; ++s)
    EXPECT_EQ(member(lines[s], "session"), std::to_string(s));
  EXPECT_EQ(log->stats().dropped, 0u);
}

TEST(EventLog, UnopenablePathIsAClearErrorAtOpen) {
  const auto log = EventLog::open({.path = "/nonexistent-gracewire-dir/events.log"});
  ASSERT_FALSE(log);
  EXPECT_EQ(
      log.error(),
      "cannot open event log /nonexistent-gracewire-dir/events.log: No such file or directory");
  TempDir dir;
  const auto directory = EventLog::open({.path = dir.file("")});
  ASSERT_FALSE(directory);
  EXPECT_NE(directory.error().find("Is a directory"), std::string::npos) << directory.error();
}

TEST(EventLog, FullDiskIsReportedOncePerEpisodeAndCountedAsDropped) {
  CapturedDiagnostics diagnostics;
  // /dev/full fails every write with ENOSPC. Rotation stays off: it must never be renamed.
  auto log = open_log({.path = "/dev/full", .rotate_bytes = 0, .flush_interval = 10ms});
  for (std::uint64_t s = 0; s < 5; ++s) log->submit(close_record(s));
  std::this_thread::sleep_for(100ms);
  for (std::uint64_t s = 5; s < 10; ++s) log->submit(close_record(s));
  log->close();
  const Stats stats = log->stats();
  EXPECT_EQ(stats.written, 0u);
  EXPECT_EQ(stats.dropped, 10u);
  EXPECT_GE(stats.write_errors, 2u);
  EXPECT_EQ(diagnostics.count("No space left on device"), 1u) << diagnostics.text();
  EXPECT_EQ(diagnostics.count("event log /dev/full: cannot write"), 1u) << diagnostics.text();
  EXPECT_NE(diagnostics.text().find("10 records could not be written"), std::string::npos)
      << diagnostics.text();
}

TEST(EventLog, AfterAFailedWriteTheLossIsWrittenDownOnceWritingWorks) {
  CapturedDiagnostics diagnostics;
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  memory.set_fail(true);
  auto log = EventLog::with_sink({.path = "memory", .flush_interval = 10ms}, std::move(sink));
  for (std::uint64_t s = 0; s < 7; ++s) log->submit(close_record(s));
  std::this_thread::sleep_for(100ms);
  memory.set_fail(false);
  log->submit(close_record(7));
  std::this_thread::sleep_for(100ms);
  log->close();
  // The notice comes first: it stands where the records went missing.
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(member(lines[0], "type"), "dropped");
  EXPECT_EQ(member(lines[0], "count"), "7");
  EXPECT_EQ(member(lines[0], "reason"), "write_failed");
  EXPECT_EQ(member(lines[1], "session"), "7");
  EXPECT_EQ(log->stats().dropped, 7u);
  EXPECT_NE(diagnostics.text().find("7 records could not be written"), std::string::npos);
}

TEST(EventLog, FiltersDecideWhatIsWanted) {
  auto log = EventLog::with_sink({.path = "memory",
                                  .users = {"app"},
                                  .schemas = {"shop", ""},
                                  .command_classes = {"query", "prepared"}},
                                 std::make_unique<MemorySink>());
  EXPECT_TRUE(log->wants_lifecycle());
  EXPECT_TRUE(log->wants_audit("app", "shop", "COM_QUERY"));
  EXPECT_TRUE(log->wants_audit("app", "", "COM_STMT_EXECUTE"));
  EXPECT_FALSE(log->wants_audit("App", "shop", "COM_QUERY"));  // user names are exact
  EXPECT_FALSE(log->wants_audit("app", "other", "COM_QUERY"));
  EXPECT_FALSE(log->wants_audit("app", "shop", "COM_PING"));

  auto no_audit = EventLog::with_sink({.path = "memory", .audit = false, .lifecycle = true},
                                      std::make_unique<MemorySink>());
  EXPECT_FALSE(no_audit->wants_audit("app", "shop", "COM_QUERY"));
  auto no_lifecycle =
      EventLog::with_sink({.path = "memory", .lifecycle = false}, std::make_unique<MemorySink>());
  EXPECT_FALSE(no_lifecycle->wants_lifecycle());
  EXPECT_TRUE(no_lifecycle->wants_audit("anyone", "any", "COM_PING"));
}

TEST(EventLog, SubmitIgnoresRecordsNobodyWants) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory", .lifecycle = false, .users = {"app"}},
                                 std::move(sink));
  CommandRecord wanted{.command = "COM_QUERY", .statement = "SELECT 1"};
  wanted.common.user = "app";
  CommandRecord unwanted = wanted;
  unwanted.common.user = "other";
  log->submit(close_record(1));
  log->submit(std::move(unwanted));
  log->submit(std::move(wanted));
  log->close();
  ASSERT_EQ(memory.lines().size(), 1u);
  EXPECT_EQ(member(memory.lines()[0], "user"), "app");
}

TEST(EventLog, EmptyPathIsDisabled) {
  auto log = open_log({.path = ""});
  EXPECT_FALSE(log->enabled());
  EXPECT_FALSE(log->wants_lifecycle());
  EXPECT_FALSE(log->wants_audit("app", "shop", "COM_QUERY"));
  log->submit(close_record(1));
  log->close();
  EXPECT_EQ(log->stats().written, 0u);
}

TEST(EventLog, StatementsAreRedactedThenCutAtACharacterBoundary) {
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory", .statement_limit = 40}, std::move(sink));
  log->submit(
      CommandRecord{.command = "COM_QUERY", .statement = "CREATE USER a IDENTIFIED BY 'hunter2'"});
  // 38 ASCII bytes, then a 3-byte character across the limit.
  log->submit(CommandRecord{.command = "COM_QUERY", .statement = std::string(38, 'x') + "€€"});
  log->close();
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(member(lines[0], "statement"), "CREATE USER a IDENTIFIED BY '***'");
  EXPECT_EQ(member(lines[0], "statement_truncated"), "false");
  EXPECT_EQ(lines[0].find("hunter2"), std::string::npos);
  EXPECT_EQ(member(lines[1], "statement"), std::string(38, 'x'));
  EXPECT_EQ(member(lines[1], "statement_truncated"), "true");
}

TEST(EventLog, HashChainRunsAcrossRotationAndRestart) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  const EventLogSettings settings{
      .path = path, .rotate_bytes = 3000, .rotate_keep = 100, .hash_chain = true};
  auto log = open_log(settings);
  for (std::uint64_t s = 0; s < 40; ++s) log->submit(close_record(s));
  log->close();
  log = open_log(settings);  // a restart appends to the same file
  for (std::uint64_t s = 40; s < 50; ++s) log->submit(close_record(s));
  log->close();

  const auto files = with_rotated({path});
  ASSERT_GT(files.size(), 3u);
  const VerifyOutcome outcome = verify_chain(files);
  EXPECT_TRUE(outcome.ok) << outcome.problem;
  EXPECT_EQ(outcome.records, 50u);
  EXPECT_EQ(outcome.first_prev_hash, std::string(kGenesisHash));
}

TEST(EventLog, EveryLineCarriesTheNextSequenceAcrossRotationAndRestart) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  // hash_chain off: the sequence stands on its own.
  const EventLogSettings settings{.path = path, .rotate_bytes = 3000, .rotate_keep = 100};
  auto log = open_log(settings);
  for (std::uint64_t s = 0; s < 40; ++s) log->submit(close_record(s));
  log->close();
  // A restart right after a rotation finds the file empty: it goes on from path.1.
  std::filesystem::rename(path, path + ".1-moved");
  for (int n = 100; n >= 1; --n) {
    const std::string from = path + "." + std::to_string(n);
    if (std::filesystem::exists(from)) {
      std::filesystem::rename(from, path + "." + std::to_string(n + 1));
    }
  }
  std::filesystem::rename(path + ".1-moved", path + ".1");
  test::write_file(path, "");
  log = open_log(settings);
  for (std::uint64_t s = 40; s < 50; ++s) log->submit(close_record(s));
  log->close();

  std::uint64_t expected = 1;
  for (const auto& file : with_rotated({path})) {
    for (const auto& line : read_lines(file)) {
      EXPECT_EQ(sequence_of(line), expected) << file << ": " << line;
      EXPECT_EQ(member(line, "seq"), std::to_string(expected));
      ++expected;
    }
  }
  EXPECT_EQ(expected, 51u);
  EXPECT_EQ(last_sequence_on_disk(path), 50u);
}

TEST(EventLog, ATornLastLineIsClosedOffBeforeNewRecords) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  test::write_file(path, "{\"ts\":\"2026-11-24T09:02:08.582123Z\",\"type\":\"clo");
  auto log = open_log({.path = path});
  log->submit(close_record(1));
  log->close();
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(member(lines[1], "session"), "1");
}

TEST(EventLog, StandardOutputIsAPath) {
  auto log = open_log({.path = "-", .rotate_bytes = 1});
  EXPECT_TRUE(log->enabled());
  log->close();
}

}  // namespace
}  // namespace gw::eventlog
