// LoopBridge: work asked from another thread runs on the loop and its answer comes back; a loop
// that does not run answers nothing within the bound; a closed bridge answers nothing at once,
// waiting askers included. Every test ends with uv_loop_close() == 0 (the async handle closed).

#include "admin/loop_bridge.h"

#include <gtest/gtest.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace gw::admin {
namespace {

using namespace std::chrono_literals;

class LoopBridgeTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle outlived its test";
  }
  // Runs the loop until `done` (a timer keeps it turning).
  void run_until(const std::atomic<bool>& done) {
    while (!done) uv_run(&loop_, UV_RUN_NOWAIT), std::this_thread::sleep_for(1ms);
  }
  uv_loop_t loop_{};
};

TEST_F(LoopBridgeTest, WorkRunsOnTheLoopThreadAndItsAnswerComesBack) {
  LoopBridge bridge(&loop_);
  const auto loop_thread = std::this_thread::get_id();
  std::atomic<bool> done = false;
  std::optional<std::string> answer;
  std::thread asker([&] {
    answer = bridge.ask(
        [&] { return std::string(std::this_thread::get_id() == loop_thread ? "loop" : "other"); },
        5s);
    done = true;
  });
  run_until(done);
  asker.join();
  EXPECT_EQ(answer, "loop");
  bridge.close();
}

TEST_F(LoopBridgeTest, ALoopThatDoesNotRunAnswersNothingWithinTheBound) {
  LoopBridge bridge(&loop_);
  const auto started = std::chrono::steady_clock::now();
  std::optional<std::string> answer = std::string("unset");
  std::thread asker([&] { answer = bridge.ask([] { return std::string("late"); }, 50ms); });
  asker.join();  // the loop is not run meanwhile
  EXPECT_EQ(answer, std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  bridge.close();  // the late job never runs
}

TEST_F(LoopBridgeTest, ClosingAnswersWaitingAskersAndLaterOnesAtOnce) {
  LoopBridge bridge(&loop_);
  std::atomic<bool> asked = false;
  std::optional<std::string> waiting = std::string("unset");
  std::thread asker([&] {
    asked = true;
    waiting = bridge.ask([] { return std::string("never"); }, 10s);
  });
  while (!asked) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);  // the job is queued by now
  const auto closing = std::chrono::steady_clock::now();
  bridge.close();
  asker.join();
  EXPECT_EQ(waiting, std::nullopt);
  EXPECT_LT(std::chrono::steady_clock::now() - closing, 5s) << "not the 10 s bound";
  EXPECT_EQ(bridge.ask([] { return std::string("after"); }, 10s), std::nullopt);
}

}  // namespace
}  // namespace gw::admin
