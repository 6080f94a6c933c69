#include "net/signal.h"

namespace gw::net {

Signal* Signal::start(uv_loop_t* loop, int signum, std::function<void(int signum)> on_signal) {
  auto* signal = new Signal(std::move(on_signal));
  uv_signal_init(loop, &signal->handle_);
  signal->handle_.data = signal;
  const int rc = uv_signal_start(
      &signal->handle_,
      [](uv_signal_t* handle, int number) {
        auto* self = static_cast<Signal*>(handle->data);
        if (self->is_open()) self->on_signal_(number);
      },
      signum);
  if (rc != 0) {
    signal->close();
    return nullptr;
  }
  return signal;
}

void Signal::close(std::function<void()> on_closed) {
  if (!begin_close()) return;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* handle) {
    auto* self = static_cast<Signal*>(handle->data);
    self->finish_close();
    auto then = std::move(self->on_closed_);
    delete self;
    if (then) then();
  });
}

Loop::Loop() { uv_loop_init(&loop_); }

void Loop::run() { uv_run(&loop_, UV_RUN_DEFAULT); }

bool Loop::close() { return uv_loop_close(&loop_) == 0; }

}  // namespace gw::net
