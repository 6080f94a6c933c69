#pragma once
// Stream: one libuv stream handle (TCP or Unix socket) in a non-movable heap object.
//   - handle.data points at the Stream; close() is idempotent and guarded by closing_;
//   - the object deletes itself in the close callback, after telling its observer;
//   - every write request owns its bytes until the write callback;
//   - close_after_flush() lets queued writes finish, sends FIN, then closes.
// Reads land in one per-thread buffer: observers consume them synchronously.

#include <uv.h>

#include <cstddef>

#include "core/bytes.h"

namespace gw::net {

class Stream;

class StreamObserver {
 public:
  virtual ~StreamObserver() = default;
  virtual void on_read(Stream& stream, ByteView bytes) = 0;
  // The peer closed (status 0) or the connection failed (a libuv error: UV_ECONNRESET, …).
  virtual void on_read_end(Stream& stream, int status) = 0;
  // A write finished; queued_bytes() tells what is still waiting.
  virtual void on_written(Stream& stream) = 0;
  // The handle is closed; the Stream is deleted right after this returns.
  virtual void on_closed(Stream& stream) = 0;
};

class Stream {
 public:
  enum class Kind { Tcp, Pipe };

  static Stream* create(uv_loop_t* loop, Kind kind, StreamObserver& observer);
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  Kind kind() const { return kind_; }
  uv_stream_t* handle() { return reinterpret_cast<uv_stream_t*>(&handle_); }
  uv_tcp_t* tcp() { return &handle_.tcp; }
  uv_pipe_t* pipe() { return &handle_.pipe; }

  void start_reading();
  void stop_reading();
  bool reading() const { return reading_; }
  // Writes what it can at once and queues the rest; `bytes` is left empty.
  void write(Bytes& bytes);
  std::size_t queued_bytes() const;
  // Closes now, dropping queued writes. With `reset`, sends RST instead of FIN.
  void close(bool reset = false);
  void close_after_flush();
  bool closing() const { return closing_ || flushing_; }

 private:
  struct WriteRequest;
  Stream(Kind kind, StreamObserver& observer) : kind_(kind), observer_(observer) {}
  ~Stream() = default;

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write_cb(uv_write_t* req, int status);
  static void on_shutdown_cb(uv_shutdown_t* req, int status);
  static void on_close_cb(uv_handle_t* handle);

  union Handle {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_{};
  Kind kind_;
  StreamObserver& observer_;
  uv_shutdown_t shutdown_req_{};
  bool reading_ = false;
  bool closing_ = false;
  bool flushing_ = false;
};

}  // namespace gw::net
