// EventLog when its sink stops accepting or fails: submit() never waits (backpressure instead),
// every loss is counted and written down, close() is bounded, a write-failure gap keeps the
// hash chain verifiable, reopen() follows logrotate, and a FIFO never blocks start-up.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <sstream>

#include "eventlog/json_scan.h"
#include "eventlog/line_reader.h"
#include "eventlog/rotated_files.h"
#include "eventlog/verify.h"
#include "eventlog/writer.h"
#include "test_support.h"

namespace gw::eventlog {
namespace {

using test::member;

using namespace std::chrono_literals;
using test::CapturedDiagnostics;
using test::close_record;
using test::Gate;
using test::GatedSink;
using test::kPrompt;
using test::MemorySink;
using test::read_lines;
using test::TempDir;

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

// A log over a gated sink whose writer is already stuck in writing record 0.
std::unique_ptr<EventLog> stuck_log(const std::shared_ptr<Gate>& gate,
                                    EventLogSettings::Loss loss) {
  auto log = EventLog::with_sink(
      {.path = "gated", .flush_interval = 10ms, .loss = loss, .queue_records = 4},
      std::make_unique<GatedSink>(gate));
  log->submit(close_record(0));
  EXPECT_TRUE(gate->wait_held(kPrompt));
  return log;
}

TEST(EventLogLoss, BlockPolicyNeverWaitsForAStuckSink) {
  auto gate = std::make_shared<Gate>();
  auto log = stuck_log(gate, EventLogSettings::Loss::Block);
  // Twice queue_records: more than fits, less than the hard ceiling.
  auto submitting = std::async(std::launch::async, [&] {
    for (std::uint64_t s = 1; s <= 8; ++s) log->submit(close_record(s));
  });
  const bool returned = submitting.wait_for(kPrompt) == std::future_status::ready;
  gate->release();  // a submit() that waits would otherwise wait for ever
  submitting.wait();
  EXPECT_TRUE(returned) << "submit() waited for the sink on the event loop's thread";
  log->close();
  const auto lines = gate->lines();
  ASSERT_EQ(lines.size(), 9u);
  for (std::uint64_t s = 0; s <= 8; ++s) EXPECT_EQ(member(lines[s], "session"), std::to_string(s));
  EXPECT_EQ(log->stats().dropped, 0u);
}

TEST(EventLogLoss, OverLimitAsksForAPauseAndTheRoomCallbackEndsIt) {
  auto gate = std::make_shared<Gate>();
  auto log = stuck_log(gate, EventLogSettings::Loss::Block);
  std::mutex mutex;
  std::condition_variable cv;
  int calls = 0;
  auto subscription = log->on_room([&] {
    std::lock_guard lock(mutex);
    ++calls;
    cv.notify_all();
  });
  std::vector<Submitted> results;
  for (std::uint64_t s = 1; s <= 6; ++s) results.push_back(log->submit(close_record(s)));
  // queue_records = 4: the fourth record waiting reaches the limit.
  EXPECT_EQ(results, (std::vector<Submitted>{Submitted::Queued, Submitted::Queued,
                                             Submitted::Queued, Submitted::OverLimit,
                                             Submitted::OverLimit, Submitted::OverLimit}));
  EXPECT_FALSE(log->has_room());
  EXPECT_EQ(log->stats().over_limit, 3u);
  EXPECT_EQ(log->stats().queue_depth, 6u);
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(calls, 0);  // no room while the sink is stuck
  }
  gate->release();
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, kPrompt, [&] { return calls > 0; }));
  }
  EXPECT_TRUE(log->has_room());
  subscription.reset();
  log->close();
  EXPECT_EQ(gate->lines().size(), 7u);
  EXPECT_EQ(log->stats().dropped, 0u);
}

TEST(EventLogLoss, PastTheCeilingRecordsAreDroppedCountedAndWrittenDown) {
  CapturedDiagnostics diagnostics;
  auto gate = std::make_shared<Gate>();
  auto log = stuck_log(gate, EventLogSettings::Loss::Block);
  std::size_t kept = 0, dropped = 0;
  for (std::uint64_t s = 1; s <= 20; ++s) {
    const Submitted result = log->submit(close_record(s));
    (result == Submitted::Dropped ? dropped : kept) += 1;
  }
  EXPECT_EQ(kept, RecordQueue::ceiling_for(4));
  EXPECT_EQ(dropped, 20 - kept);
  EXPECT_EQ(log->stats().dropped, dropped);
  gate->release();
  log->close();
  const auto lines = gate->lines();
  ASSERT_EQ(lines.size(), 1 + kept + 1);
  EXPECT_EQ(member(lines.back(), "type"), "dropped");
  EXPECT_EQ(member(lines.back(), "count"), std::to_string(dropped));
  EXPECT_EQ(member(lines.back(), "reason"), "queue_full");
  EXPECT_NE(diagnostics.text().find("dropped 12 records"), std::string::npos) << diagnostics.text();
  EXPECT_NE(diagnostics.text().find("ceiling"), std::string::npos);
}

TEST(EventLogLoss, DropPolicyNeverWaitsAndCountsEveryDrop) {
  auto gate = std::make_shared<Gate>();
  auto log = stuck_log(gate, EventLogSettings::Loss::Drop);
  std::vector<Submitted> results;
  for (std::uint64_t s = 1; s <= 6; ++s) results.push_back(log->submit(close_record(s)));
  EXPECT_EQ(results,
            (std::vector<Submitted>{Submitted::Queued, Submitted::Queued, Submitted::Queued,
                                    Submitted::Queued, Submitted::Dropped, Submitted::Dropped}));
  EXPECT_EQ(log->stats().over_limit, 0u);
  gate->release();
  log->close();
  const auto lines = gate->lines();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(member(lines.back(), "count"), "2");
  EXPECT_EQ(log->stats().dropped, 2u);
}

TEST(EventLogLoss, CloseWithAStuckSinkReturnsWithinItsBoundAndCountsWhatIsLeft) {
  CapturedDiagnostics diagnostics;
  auto gate = std::make_shared<Gate>();
  {
    auto log = stuck_log(gate, EventLogSettings::Loss::Block);
    for (std::uint64_t s = 1; s <= 3; ++s) log->submit(close_record(s));
    const auto started = std::chrono::steady_clock::now();
    auto closing = std::async(std::launch::async, [&] { log->close(200ms); });
    const bool returned = closing.wait_for(kPrompt) == std::future_status::ready;
    if (!returned) gate->release();
    closing.wait();
    ASSERT_TRUE(returned) << "close() waited for the stuck sink";
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
    // Record 0 was in the sink's hands, 1-3 still queued: none is known to be written.
    EXPECT_EQ(log->stats().dropped, 4u);
    EXPECT_NE(diagnostics.text().find("4 records could not be written within 0.2s"),
              std::string::npos)
        << diagnostics.text();
    EXPECT_EQ(log->submit(close_record(9)), Submitted::Dropped);
  }
  // The abandoned writer still owns its sink; once the sink lets go it finishes and frees it.
  gate->release();
  EXPECT_TRUE(gate->wait_sink_destroyed(kPrompt));
}

TEST(EventLogLoss, AWriteFailureGapIsAnnouncedWhereItIsAndTheChainStillVerifies) {
  CapturedDiagnostics diagnostics;
  TempDir dir;
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink({.path = "memory", .flush_interval = 10ms, .hash_chain = true},
                                 std::move(sink));
  for (std::uint64_t s = 0; s < 3; ++s) log->submit(close_record(s));
  std::this_thread::sleep_for(60ms);
  memory.set_fail(true);  // the disk is full
  for (std::uint64_t s = 3; s < 8; ++s) log->submit(close_record(s));
  std::this_thread::sleep_for(60ms);
  memory.set_fail(false);  // space again
  std::this_thread::sleep_for(60ms);
  for (std::uint64_t s = 8; s < 11; ++s) log->submit(close_record(s));
  log->close();

  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(member(lines[2], "session"), "2");
  EXPECT_EQ(member(lines[3], "type"), "dropped");
  EXPECT_EQ(member(lines[3], "count"), "5");
  EXPECT_EQ(member(lines[3], "reason"), "write_failed");
  EXPECT_EQ(member(lines[3], "last_written_hash"), member(lines[2], "hash"));
  EXPECT_EQ(member(lines[4], "session"), "8");
  EXPECT_EQ(log->stats().dropped, 5u);
  EXPECT_NE(diagnostics.text().find("5 records could not be written"), std::string::npos);

  const std::string path = dir.file("events.log");
  test::write_file(path, joined(lines));
  const VerifyOutcome outcome = verify_chain({path});
  ASSERT_TRUE(outcome.ok) << outcome.problem;
  EXPECT_EQ(outcome.records, 7u);
  ASSERT_EQ(outcome.losses.size(), 1u);
  EXPECT_EQ(outcome.losses[0].where, path + ":4");
  EXPECT_EQ(outcome.losses[0].count, 5u);
  EXPECT_TRUE(outcome.losses[0].gap);
  std::ostringstream out, err;
  EXPECT_EQ(run_verify({path}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("announced loss at " + path +
                           ":4: 5 records (write_failed; the chain "
                           "resumes here)"),
            std::string::npos)
      << out.str();

  // Tampering is still found: after the gap, before it, and right next to it.
  for (const std::size_t removed : {5u, 1u, 2u}) {
    auto tampered = lines;
    tampered.erase(tampered.begin() + static_cast<std::ptrdiff_t>(removed));
    test::write_file(path, joined(tampered));
    const VerifyOutcome broken = verify_chain({path});
    EXPECT_FALSE(broken.ok) << "line " << removed + 1 << " removed unnoticed";
  }
}

TEST(EventLogLoss, NoRecordIsLongerThanTheToolsRead) {
  TempDir dir;
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  auto log = EventLog::with_sink(
      {.path = "memory", .hash_chain = true, .statement_limit = std::size_t{1} << 30},
      std::move(sink));
  // Control characters take six bytes each in JSON: 3 MiB of them would be an 18 MiB line.
  CommandRecord command{.command = "COM_QUERY", .statement = std::string(3 << 20, '\x01')};
  command.params = {std::string(20 << 20, 'p')};
  log->submit(std::move(command));
  log->close(60s);  // encoding this several times takes a while under sanitizers
  const auto lines = memory.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_LT(lines[0].size(), LineReader::kMaxLineBytes);
  EXPECT_EQ(member(lines[0], "statement_truncated"), "true");
  EXPECT_NE(lines[0].find("\"<cut>\""), std::string::npos);
  const std::string path = dir.file("events.log");
  test::write_file(path, joined(lines));
  const VerifyOutcome outcome = verify_chain({path});
  EXPECT_TRUE(outcome.ok) << outcome.problem;
}

TEST(EventLogLoss, ReopenStartsANewFileAndTheChainRunsOn) {
  TempDir dir;
  const std::string path = dir.file("events.log");
  auto opened = EventLog::open({.path = path, .flush_interval = 10ms, .hash_chain = true});
  ASSERT_TRUE(opened) << opened.error();
  auto& log = *opened;
  for (std::uint64_t s = 0; s < 3; ++s) log->submit(close_record(s));
  std::this_thread::sleep_for(60ms);
  // logrotate's create mode: rename, then tell the writer.
  std::filesystem::rename(path, path + ".1");
  log->reopen();
  const auto deadline = std::chrono::steady_clock::now() + kPrompt;
  while (log->stats().reopened == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  for (std::uint64_t s = 3; s < 5; ++s) log->submit(close_record(s));
  log->close();
  EXPECT_EQ(read_lines(path + ".1").size(), 3u);
  ASSERT_EQ(read_lines(path).size(), 2u);
  EXPECT_EQ(member(read_lines(path)[0], "session"), "3");
  const VerifyOutcome outcome = verify_chain(with_rotated({path}));
  EXPECT_TRUE(outcome.ok) << outcome.problem;
  EXPECT_EQ(outcome.records, 5u);
}

TEST(EventLogLoss, AFifoWithoutAReaderDoesNotBlockOpening) {
  std::signal(SIGPIPE, SIG_IGN);  // in case an open that waited then writes to no reader
  TempDir dir;
  const std::string fifo = dir.file("events.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::unique_ptr<EventLog> log;
  std::string error;
  auto opening = std::async(std::launch::async, [&] {
    auto opened = EventLog::open({.path = fifo, .hash_chain = true});
    if (opened) log = std::move(*opened);
    if (!opened) error = opened.error();
  });
  const bool returned = opening.wait_for(kPrompt) == std::future_status::ready;
  // An open that waits would wait for ever: give it both ends for a moment until it returns.
  for (int i = 0; i < 20 && opening.wait_for(10ms) != std::future_status::ready; ++i) {
    const int both_ends = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
    std::this_thread::sleep_for(100ms);
    ::close(both_ends);
  }
  opening.wait();
  ASSERT_TRUE(returned) << "opening a FIFO without a reader blocked";
  ASSERT_FALSE(log);
  EXPECT_EQ(error, "cannot open event log " + fifo +
                       ": it is a FIFO with no reader; start the reader first");
}

TEST(EventLogLoss, AFifoWithAReaderGetsTheRecords) {
  TempDir dir;
  const std::string fifo = dir.file("events.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(reader, 0);
  auto log = EventLog::open({.path = fifo, .hash_chain = true});
  ASSERT_TRUE(log) << log.error();
  (*log)->submit(close_record(7));
  (*log)->close();
  char buffer[4096];
  const ssize_t got = ::read(reader, buffer, sizeof buffer);
  ::close(reader);
  ASSERT_GT(got, 0);
  const std::string line(buffer, static_cast<std::size_t>(got));
  EXPECT_EQ(member(line.substr(0, line.size() - 1), "session"), "7");
}

}  // namespace
}  // namespace gw::eventlog
