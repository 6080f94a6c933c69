#pragma once
// Stream: one libuv stream handle (TCP or Unix socket) in a non-movable heap object, with
// HandleWrap's close protocol:
//   - handle.data points at the Stream; close() is idempotent and guarded by the state;
//   - the object deletes itself in the close callback, after telling its observer;
//   - every write request owns its bytes until the write callback;
//   - close_after_flush() lets queued writes finish, sends FIN, then closes; close() after it
//     upgrades to an immediate close that drops what is still queued.
// Reads land in one per-thread buffer: observers consume them synchronously.

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "core/bytes.h"
#include "net/address.h"
#include "net/handle.h"

namespace gw::net {

class Listener;
class Resolver;
class Stream;
class Timer;

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

class Stream final : public HandleWrap {
 public:
  enum class Kind { Tcp, Pipe };

  // Creates a stream and connects it: name resolution (a literal address at once), then the
  // connect; TCP_NODELAY on TCP. done(0) once connected, or done(a libuv error) once on failure
  // (the stream then stays open until its owner closes it, like any other). done always runs
  // from the loop, never before connect() returns, and never after close() was called on the
  // stream: closing cancels the resolution or the connect silently.
  static Stream* connect(uv_loop_t* loop, const Target& target, StreamObserver& observer,
                         std::function<void(int status)> done);
  // A connected Unix socket given by its descriptor (a socketpair end); the Stream owns it from
  // then on. nullptr when libuv refuses the descriptor (it is then left open).
  static Stream* open_socket(uv_loop_t* loop, int fd, StreamObserver& observer);

  Kind kind() const { return kind_; }
  // The socket's descriptor, for diagnostics and tests; -1 before it has one.
  int socket_fd() const;
  // Bytes the peer sent that wait in the kernel, not read yet (FIONREAD); 0 when unknown. A
  // read deadline asks it before blaming the peer: a loop that ran late has not read them.
  std::size_t unread_bytes() const;
  // "1.2.3.4:5" or "[::1]:5" for TCP ("?" when the socket has no peer), "unix" for a pipe.
  std::string peer_name() const;

  // TCP keepalive probes after `idle` without traffic (TCP only; ignored on a pipe): a peer that
  // vanished without a FIN or RST is found even when nothing is written.
  void set_keepalive(std::chrono::seconds idle);

  void start_reading();
  void stop_reading();
  bool reading() const { return reading_; }
  // Writes what it can at once and queues the rest; `bytes` is left empty.
  void write(Bytes& bytes);
  std::size_t queued_bytes() const;
  // Closes now, dropping queued writes. With `reset`, sends RST instead of FIN (TCP, and not
  // once a FIN was sent by close_after_flush(): libuv refuses, and the close is plain).
  void close(bool reset = false);
  void close_after_flush();
  bool closing() const { return !is_open() || flushing_; }

 private:
  friend class Listener;
  struct WriteRequest;
  Stream(Kind kind, StreamObserver& observer) : kind_(kind), observer_(&observer) {}
  ~Stream() = default;
  static Stream* create(uv_loop_t* loop, Kind kind, StreamObserver& observer);
  uv_stream_t* handle() { return reinterpret_cast<uv_stream_t*>(&handle_); }

  void connect_resolved(int status, const sockaddr* address);
  void connect_failed(int status);
  void connected(int status);
  // Closes without telling the observer: a stream its owner never saw (a failed accept).
  void discard();

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write_cb(uv_write_t* req, int status);
  static void on_shutdown_cb(uv_shutdown_t* req, int status);
  static void on_connect_cb(uv_connect_t* req, int status);
  static void on_close_cb(uv_handle_t* handle);

  union Handle {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_{};
  Kind kind_;
  StreamObserver* observer_;  // null once discarded
  uv_shutdown_t shutdown_req_{};
  bool reading_ = false;
  bool flushing_ = false;
  // connect(): the request under way and how to report it.
  uv_connect_t connect_req_{};
  std::function<void(int)> connect_done_;
  Resolver* resolver_ = nullptr;       // a name lookup under way; it frees itself
  bool inside_connect_ = false;        // connect() has not returned yet
  int deferred_status_ = 0;            // a failure found meanwhile
  Timer* deferred_failure_ = nullptr;  // reports it from the loop
};

}  // namespace gw::net
