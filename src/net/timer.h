#pragma once
// Timer: one uv_timer_t in a non-movable heap object (HandleWrap's close protocol). on_fire
// runs on the loop each time the timer expires; it may start, stop or close the timer itself.

#include <uv.h>

#include <chrono>
#include <functional>

#include "net/handle.h"

namespace gw::net {

class Timer final : public HandleWrap {
 public:
  static Timer* create(uv_loop_t* loop, std::function<void()> on_fire);

  // (Re)arms the timer: fires after `timeout`, then every `repeat` if that is not zero. Ignored
  // once close() was called.
  void start(std::chrono::milliseconds timeout,
             std::chrono::milliseconds repeat = std::chrono::milliseconds{0});
  void stop();
  bool active() const;
  // Stops the timer for good; on_closed runs from the close callback, then the Timer is
  // deleted. Idempotent: a second call's on_closed is dropped.
  void close(std::function<void()> on_closed = {});

 private:
  explicit Timer(std::function<void()> on_fire) : on_fire_(std::move(on_fire)) {}
  ~Timer() = default;

  uv_timer_t handle_{};
  std::function<void()> on_fire_;
  std::function<void()> on_closed_;
};

}  // namespace gw::net
