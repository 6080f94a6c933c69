// EventLog shared by several event loops, one thread each: every loop's room callback hears
// of room, and one that unsubscribed hears nothing more; the loops submit and ask wants_*() at
// once while the main loop swaps the filters (SIGHUP), and every record is written or counted.
// tools/test runs these under ThreadSanitizer too.

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

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

// One loop's room callback: counts its calls, for a test to wait on.
class RoomCalls {
 public:
  void add() {
    std::lock_guard lock(mutex_);
    ++calls_;
    cv_.notify_all();
  }
  int count() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  bool wait_past(int calls) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kPrompt, [&] { return calls_ > calls; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  int calls_ = 0;
};

TEST(EventLogThreads, EveryLoopHearsOfRoomAndAnEndedSubscriptionNoMore) {
  // The sink takes 200 us a line, so a loop that submits without pausing soon fills the queue.
  auto log = EventLog::with_sink(
      {.path = "memory", .loss = EventLogSettings::Loss::Block, .queue_records = 4},
      std::make_unique<MemorySink>(200us));
  RoomCalls first, second, ended;
  RoomSubscription first_room = log->on_room([&] { first.add(); });
  RoomSubscription second_room = log->on_room([&] { second.add(); });
  RoomSubscription ended_room = log->on_room([&] { ended.add(); });
  ended_room.reset();
  std::uint64_t session = 0;
  // What a loop does before it pauses a session: submit until the queue is at its limit.
  const auto fill_queue = [&] {
    while (log->submit(close_record(session++)) != Submitted::OverLimit) {
    }
  };

  fill_queue();
  EXPECT_TRUE(first.wait_past(0));
  EXPECT_TRUE(second.wait_past(0));
  second_room.reset();
  // Final once reset() has returned: no call of it is still running.
  const int second_calls = second.count();
  const int first_calls = first.count();
  fill_queue();
  EXPECT_TRUE(first.wait_past(first_calls));
  EXPECT_EQ(second.count(), second_calls);

  first_room.reset();
  log->close();
  EXPECT_EQ(ended.count(), 0);
  EXPECT_EQ(log->stats().dropped, 0u);
  EXPECT_EQ(log->stats().written, session);
}

TEST(EventLogThreads, EndingASubscriptionWaitsForItsCallInProgress) {
  auto gate = std::make_shared<Gate>();
  auto log = EventLog::with_sink({.path = "gated",
                                  .flush_interval = 10ms,
                                  .loss = EventLogSettings::Loss::Block,
                                  .queue_records = 2},
                                 std::make_unique<GatedSink>(gate));
  std::promise<void> entered, go_on;
  std::atomic<bool> finished{false};
  std::once_flag once;
  RoomSubscription room = log->on_room([&] {
    std::call_once(once, [&] {
      entered.set_value();
      go_on.get_future().wait();
      finished = true;
    });
  });
  // The writer holds record 0 at the gate while 1 and 2 fill the queue.
  log->submit(close_record(0));
  ASSERT_TRUE(gate->wait_held(kPrompt));
  log->submit(close_record(1));
  ASSERT_EQ(log->submit(close_record(2)), Submitted::OverLimit);
  gate->release();
  ASSERT_EQ(entered.get_future().wait_for(kPrompt), std::future_status::ready);

  auto ending = std::async(std::launch::async, [&] {
    room.reset();
    return finished.load();  // what it refers to may be destroyed now: it must be done
  });
  EXPECT_EQ(ending.wait_for(50ms), std::future_status::timeout);
  go_on.set_value();
  EXPECT_TRUE(ending.get());
  log->close();
}

TEST(EventLogThreads, ASubscriptionMayOutliveItsLog) {
  RoomSubscription room;
  {
    auto log = EventLog::with_sink({.path = "memory"}, std::make_unique<MemorySink>());
    room = log->on_room([] {});
  }
  room.reset();  // nothing left to remove
  auto disabled = EventLog::with_sink({.path = ""}, nullptr);
  RoomSubscription none = disabled->on_room([] {});
  none.reset();
}

constexpr int kLoops = 4;
constexpr std::uint64_t kPerLoop = 2000;

// Whom the filters let through while they are swapped: "app" always (when audit is on),
// "other" never.
Filters app_only(bool audit, bool lifecycle) {
  return {.audit = audit, .lifecycle = lifecycle, .users = {"app"}};
}

// Session ids say which loop made a record and in what order.
std::uint64_t session_of(int loop, std::uint64_t index) { return loop * kPerLoop + index; }

Record record_for(int loop, std::uint64_t index) {
  const std::uint64_t session = session_of(loop, index);
  if (index % 3 == 2) {
    CloseRecord close{.close_kind = "com_quit"};
    close.common.session = session;
    return close;
  }
  CommandRecord command{.command = "COM_QUERY", .statement = "SELECT 1"};
  command.common.session = session;
  command.common.user = index % 3 == 0 ? "app" : "other";
  return command;
}

// What one loop's submit() calls answered.
struct Answers {
  std::uint64_t kept = 0, dropped = 0, filtered = 0;
};

TEST(EventLogThreads, SeveralLoopsSubmitWhileFiltersChangeAndNothingGoesUnaccounted) {
  test::CapturedDiagnostics diagnostics;  // a warning per flush that dropped records
  auto sink = std::make_unique<MemorySink>();
  MemorySink& memory = *sink;
  // A small queue under Loss::Drop, so that some records are dropped and must be counted.
  auto log = EventLog::with_sink({.path = "memory",
                                  .flush_interval = std::chrono::milliseconds(1),
                                  .loss = EventLogSettings::Loss::Drop,
                                  .queue_records = 16},
                                 std::move(sink));
  log->set_filters(app_only(true, true));  // before any loop submits: "other" is never wanted
  std::atomic<bool> submitting{true};
  std::thread reloading([&] {
    for (unsigned n = 0; submitting.load(); ++n) log->set_filters(app_only(n % 2 == 0, n % 3 != 0));
  });
  std::array<Answers, kLoops> answers{};
  std::vector<std::thread> loops;
  for (int loop = 0; loop < kLoops; ++loop) {
    loops.emplace_back([&, loop] {
      Answers& mine = answers[loop];
      for (std::uint64_t index = 0; index < kPerLoop; ++index) {
        // What the proxy asks before it builds a record; the answer may change before submit().
        (void)log->wants_audit("app", "shop", "COM_QUERY");
        (void)log->wants_lifecycle();
        switch (log->submit(record_for(loop, index))) {
          case Submitted::Queued:
          case Submitted::OverLimit:
            ++mine.kept;
            break;
          case Submitted::Dropped:
            ++mine.dropped;
            break;
          case Submitted::Filtered:
            ++mine.filtered;
            break;
        }
      }
    });
  }
  for (auto& loop : loops) loop.join();
  submitting = false;
  reloading.join();
  log->close();

  Answers all;
  for (const Answers& mine : answers) {
    all.kept += mine.kept;
    all.dropped += mine.dropped;
    all.filtered += mine.filtered;
  }
  std::uint64_t records = 0, reported = 0;
  std::array<std::int64_t, kLoops> last_index{};
  last_index.fill(-1);
  for (const auto& line : memory.lines()) {
    if (member(line, "type") == "dropped") {
      reported += std::stoull(member(line, "count"));
      continue;
    }
    ++records;
    EXPECT_NE(member(line, "user"), "other") << line;  // never let through by any filters
    // Each loop's records arrive in the order it submitted them.
    const std::uint64_t session = std::stoull(member(line, "session"));
    const auto loop = static_cast<int>(session / kPerLoop);
    const auto index = static_cast<std::int64_t>(session % kPerLoop);
    ASSERT_LT(loop, kLoops);
    EXPECT_GT(index, last_index[loop]) << line;
    last_index[loop] = index;
  }
  EXPECT_EQ(all.kept + all.dropped + all.filtered, kLoops * kPerLoop);
  EXPECT_EQ(records, all.kept);
  EXPECT_EQ(log->stats().dropped, all.dropped);
  EXPECT_EQ(reported, all.dropped);
  // The filters flip often enough that some records of each kind pass and some do not.
  EXPECT_GT(all.filtered, 0u);
  EXPECT_GT(all.kept, 0u);
}

}  // namespace
}  // namespace gw::eventlog
