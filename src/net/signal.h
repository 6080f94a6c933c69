#pragma once
// Signal: one uv_signal_t watching one signal number, in a non-movable heap object (HandleWrap's
// close protocol). on_signal runs on the loop, not in the signal handler. Closing the last
// watcher of a signal number gives it back its default action (libuv's doing).

#include <uv.h>

#include <functional>

#include "net/handle.h"

namespace gw::net {

class Signal final : public HandleWrap {
 public:
  // Watches `signum` from now on; nullptr when libuv refuses the number.
  static Signal* start(uv_loop_t* loop, int signum, std::function<void(int signum)> on_signal);

  // on_closed runs from the close callback, then the Signal is deleted. Idempotent.
  void close(std::function<void()> on_closed = {});

 private:
  explicit Signal(std::function<void(int)> on_signal) : on_signal_(std::move(on_signal)) {}
  ~Signal() = default;

  uv_signal_t handle_{};
  std::function<void(int)> on_signal_;
  std::function<void()> on_closed_;
};

// The event loop itself, for the process's main(): every handle lives on one of these.
class Loop {
 public:
  Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* get() { return &loop_; }
  // Runs until no handle or request is left.
  void run();
  // False when a handle or request is still open (a leak, or a close callback not yet run).
  [[nodiscard]] bool close();

 private:
  uv_loop_t loop_{};
};

}  // namespace gw::net
