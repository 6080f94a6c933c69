#pragma once
// HandleWrap: the close protocol every libuv handle in net follows (node's HandleWrap):
//   Open ──close()──► Closing ──libuv's close callback──► Closed, then the object is deleted.
// close() is idempotent: only the first call reaches uv_close. An object is freed only from
// its close callback, so a pointer handed to a callback stays valid until that callback has
// run; the destructor asserts that this is how it went.

#include <uv.h>

#include <cassert>

namespace gw::net {

class HandleWrap {
 public:
  HandleWrap(const HandleWrap&) = delete;
  HandleWrap& operator=(const HandleWrap&) = delete;

  bool is_open() const { return state_ == State::Open; }

 protected:
  enum class State {
    Open,     // usable
    Closing,  // uv_close() called; the close callback has not run yet
    Closed,   // the close callback ran; the object is being deleted
  };

  HandleWrap() = default;
  ~HandleWrap() {
    assert(state_ == State::Closed && "net handle freed outside its close callback");
  }

  // True exactly once: the caller then closes its handle.
  bool begin_close() {
    if (state_ != State::Open) return false;
    state_ = State::Closing;
    return true;
  }
  // From the close callback, right before the object deletes itself.
  void finish_close() {
    assert(state_ == State::Closing);
    state_ = State::Closed;
  }
  State state() const { return state_; }

 private:
  State state_ = State::Open;
};

}  // namespace gw::net
