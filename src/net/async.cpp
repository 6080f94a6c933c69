#include "net/async.h"

namespace gw::net {

Async* Async::create(uv_loop_t* loop, std::function<void()> on_wake) {
  auto* async = new Async(std::move(on_wake));
  uv_async_init(loop, &async->handle_, [](uv_async_t* handle) {
    auto* self = static_cast<Async*>(handle->data);
    if (self->is_open()) self->on_wake_();
  });
  async->handle_.data = async;
  return async;
}

void Async::send() { uv_async_send(&handle_); }

void Async::close(std::function<void()> on_closed) {
  if (!begin_close()) return;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* handle) {
    auto* self = static_cast<Async*>(handle->data);
    self->finish_close();
    auto then = std::move(self->on_closed_);
    delete self;
    if (then) then();
  });
}

}  // namespace gw::net
