#pragma once
// What the net tests share: a loop that must end empty, and an observer that records what a
// stream reports.

#include <gtest/gtest.h>
#include <uv.h>

#include <optional>

#include "net/stream.h"

namespace gw::net::testing {

// Records what a stream reports.
struct Recorder : StreamObserver {
  void on_read(Stream&, ByteView bytes) override {
    read.insert(read.end(), bytes.begin(), bytes.end());
  }
  void on_read_end(Stream& stream, int s) override {
    status = s;
    if (close_on_end) stream.close();
  }
  void on_written(Stream&) override { ++written; }
  void on_closed(Stream&) override { ++closed; }

  Bytes read;
  std::optional<int> status;
  int written = 0;
  int closed = 0;
  bool close_on_end = false;
};

// Every test runs its loop until nothing is left and ends with uv_loop_close() == 0, which fails
// when a handle or request was leaked.
class LoopTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override {
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0) << "a handle or request outlived its test";
  }
  // Runs the loop until `done` or nothing is left to do.
  template <typename F>
  void run_until(F done) {
    while (!done() && uv_run(&loop_, UV_RUN_ONCE) != 0) {
    }
  }

  uv_loop_t loop_{};
  // Observers outlive the test body, even one an ASSERT cut short: TearDown's loop run delivers
  // the last close callbacks.
  Recorder client_, server_, spare_;
};

}  // namespace gw::net::testing
