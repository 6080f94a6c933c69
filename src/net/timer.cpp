#include "net/timer.h"

#include <algorithm>

namespace gw::net {

Timer* Timer::create(uv_loop_t* loop, std::function<void()> on_fire) {
  auto* timer = new Timer(std::move(on_fire));
  uv_timer_init(loop, &timer->handle_);
  timer->handle_.data = timer;
  return timer;
}

void Timer::start(std::chrono::milliseconds timeout, std::chrono::milliseconds repeat) {
  if (!is_open()) return;
  // libuv reads its clock once per turn of the loop. A turn that ran long (a loaded host, many
  // reads in one turn) would count the timeout from the turn's start, and a deadline armed
  // late in it would fire early: a live binlog dump was once taken for dead that way.
  uv_update_time(handle_.loop);
  uv_timer_start(
      &handle_,
      [](uv_timer_t* handle) {
        auto* self = static_cast<Timer*>(handle->data);
        if (self->is_open()) self->on_fire_();
      },
      static_cast<std::uint64_t>(std::max<std::int64_t>(timeout.count(), 0)),
      static_cast<std::uint64_t>(std::max<std::int64_t>(repeat.count(), 0)));
}

void Timer::stop() {
  if (is_open()) uv_timer_stop(&handle_);
}

bool Timer::active() const {
  return is_open() && uv_is_active(reinterpret_cast<const uv_handle_t*>(&handle_)) != 0;
}

void Timer::close(std::function<void()> on_closed) {
  if (!begin_close()) return;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* handle) {
    auto* self = static_cast<Timer*>(handle->data);
    self->finish_close();
    auto then = std::move(self->on_closed_);
    delete self;
    if (then) then();
  });
}

}  // namespace gw::net
