#pragma once
// Async: one uv_async_t, the only libuv call another thread may make (send()). on_wake runs on
// the loop, once for any number of send()s since the last wake. HandleWrap's close protocol;
// whoever calls send() from another thread must stop doing so before close().

#include <uv.h>

#include <functional>

#include "net/handle.h"

namespace gw::net {

class Async final : public HandleWrap {
 public:
  static Async* create(uv_loop_t* loop, std::function<void()> on_wake);

  // Any thread.
  void send();
  // on_closed runs from the close callback, then the Async is deleted. Idempotent.
  void close(std::function<void()> on_closed = {});

 private:
  explicit Async(std::function<void()> on_wake) : on_wake_(std::move(on_wake)) {}
  ~Async() = default;

  uv_async_t handle_{};
  std::function<void()> on_wake_;
  std::function<void()> on_closed_;
};

}  // namespace gw::net
