// net::Timer and net::Async: fire, repeat, stop, close (from inside their own callback too), and
// a wake-up sent from another thread. Every test ends with uv_loop_close() == 0.

#include "net/timer.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include "net/async.h"
#include "net/signal.h"
#include "net_test_support.h"

namespace gw::net {
namespace {

using namespace std::chrono_literals;
using testing::LoopTest;

class TimerTest : public LoopTest {};

TEST_F(TimerTest, FiresOnceAfterItsTimeout) {
  int fired = 0;
  Timer* timer = Timer::create(&loop_, [&] { ++fired; });
  EXPECT_FALSE(timer->active());
  timer->start(5ms);
  EXPECT_TRUE(timer->active());
  uv_run(&loop_, UV_RUN_DEFAULT);  // nothing else keeps the loop alive
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(timer->active());
  bool closed = false;
  timer->close([&] { closed = true; });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
}

// Regression: libuv reads its clock once per turn, so a timer armed at the end of a long turn
// counted from the turn's start and fired as soon as anything woke the loop (here an Async;
// in the binlog follower, the next read).
TEST_F(TimerTest, ATimeoutCountsFromWhenItWasArmedNotFromTheStartOfTheTurn) {
  std::chrono::steady_clock::time_point armed;
  std::chrono::steady_clock::time_point fired;
  Async* wake = Async::create(&loop_, [] {});
  Timer* deadline = Timer::create(&loop_, [&] {
    fired = std::chrono::steady_clock::now();
    wake->close();
  });
  Timer* long_turn = Timer::create(&loop_, [&] {
    std::this_thread::sleep_for(300ms);  // a callback that keeps the loop busy
    armed = std::chrono::steady_clock::now();
    deadline->start(200ms);
    wake->send();
  });
  long_turn->start(0ms);
  uv_run(&loop_, UV_RUN_DEFAULT);
  // libuv counts whole milliseconds from a clock that may be a little coarser than
  // steady_clock: a few milliseconds of slack; the bug fired it at once.
  EXPECT_GE(fired - armed, 190ms);
  deadline->close();
  long_turn->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
}

TEST_F(TimerTest, RepeatsUntilStoppedFromItsOwnCallback) {
  int fired = 0;
  Timer* timer = nullptr;
  timer = Timer::create(&loop_, [&] {
    if (++fired == 3) timer->stop();
  });
  timer->start(1ms, 1ms);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired, 3);
  timer->close();
}

TEST_F(TimerTest, AStoppedOrClosedTimerNeverFires) {
  int fired = 0;
  Timer* stopped = Timer::create(&loop_, [&] { ++fired; });
  stopped->start(1ms);
  stopped->stop();
  Timer* closed = Timer::create(&loop_, [&] { ++fired; });
  closed->start(1ms);
  int on_closed = 0;
  closed->close([&] { ++on_closed; });
  closed->close([&] { ++on_closed; });  // idempotent: the second callback is dropped
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired, 0);
  EXPECT_EQ(on_closed, 1);
  stopped->start(1ms);  // restarted: fires
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(fired, 1);
  stopped->close();
}

TEST_F(TimerTest, ClosesItselfFromItsOwnCallback) {
  bool closed = false;
  Timer* timer = nullptr;
  timer = Timer::create(&loop_, [&] {
    timer->close([&] { closed = true; });
    timer->start(1ms);  // ignored after close()
  });
  timer->start(1ms);
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
}

class AsyncTest : public LoopTest {};

TEST_F(AsyncTest, AWakeUpFromAnotherThreadRunsOnTheLoop) {
  const auto loop_thread = std::this_thread::get_id();
  std::atomic<bool> finished{false};
  int woken = 0;
  bool wrong_thread = false;
  Async* async = Async::create(&loop_, [&] {
    wrong_thread = wrong_thread || std::this_thread::get_id() != loop_thread;
    ++woken;
  });
  // Keeps the loop turning while the sender runs, so that the test can look at `finished`.
  Timer* tick = Timer::create(&loop_, [] {});
  tick->start(1ms, 1ms);
  std::thread sender([&] {
    for (int i = 0; i < 100; ++i) async->send();
    finished = true;
  });
  run_until([&] { return finished && woken > 0; });
  sender.join();  // no send() after this: the Async may close
  EXPECT_FALSE(wrong_thread);
  EXPECT_GE(woken, 1);
  EXPECT_LE(woken, 100) << "sends coalesce";
  bool closed = false;
  async->close([&] { closed = true; });
  tick->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
}

TEST_F(AsyncTest, ClosingBeforeAnyWakeUpIsClean) {
  bool woken = false;
  Async* async = Async::create(&loop_, [&] { woken = true; });
  async->close();
  async->close();
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_FALSE(woken);
}

class SignalTest : public LoopTest {};

TEST_F(SignalTest, ASignalIsDeliveredOnTheLoopUntilClosed) {
  int delivered = 0;
  bool closed = false;
  Signal* signal = nullptr;
  signal = Signal::start(&loop_, SIGUSR2, [&](int signum) {
    EXPECT_EQ(signum, SIGUSR2);
    ++delivered;
    signal->close([&] { closed = true; });
    signal->close();
  });
  ASSERT_NE(signal, nullptr);
  ASSERT_EQ(::raise(SIGUSR2), 0);
  uv_run(&loop_, UV_RUN_DEFAULT);  // the open Signal keeps it running until it closes itself
  EXPECT_EQ(delivered, 1);
  EXPECT_TRUE(closed);
  EXPECT_EQ(Signal::start(&loop_, -1, [](int) {}), nullptr) << "not a signal number";
}

TEST(NetLoop, RunsUntilNothingIsLeftAndClosesOnlyWhenEmpty) {
  Loop loop;
  int fired = 0;
  Timer* timer = Timer::create(loop.get(), [&] { ++fired; });
  timer->start(1ms);
  loop.run();
  EXPECT_EQ(fired, 1);
  EXPECT_FALSE(loop.close()) << "the timer is still open";
  timer->close();
  loop.run();
  EXPECT_TRUE(loop.close());
}

}  // namespace
}  // namespace gw::net
