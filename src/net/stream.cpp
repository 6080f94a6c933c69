#include "net/stream.h"

#include <sys/ioctl.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "net/resolver.h"
#include "net/timer.h"

namespace gw::net {

struct Stream::WriteRequest {
  uv_write_t req{};
  Stream* stream = nullptr;
  Bytes bytes;
};

namespace {
// One read buffer per thread: observers consume each read before the next one is made.
constexpr std::size_t kReadBufferSize = 64 * kKiB;
thread_local std::array<char, kReadBufferSize> read_buffer;
}  // namespace

Stream* Stream::create(uv_loop_t* loop, Kind kind, StreamObserver& observer) {
  auto* stream = new Stream(kind, observer);
  if (kind == Kind::Tcp) {
    uv_tcp_init(loop, &stream->handle_.tcp);
  } else {
    uv_pipe_init(loop, &stream->handle_.pipe, 0);
  }
  stream->handle()->data = stream;
  return stream;
}

Stream* Stream::connect(uv_loop_t* loop, const Target& target, StreamObserver& observer,
                        std::function<void(int status)> done) {
  const bool unix_socket = target.kind == Target::Kind::Unix;
  auto* stream = create(loop, unix_socket ? Kind::Pipe : Kind::Tcp, observer);
  stream->connect_done_ = std::move(done);
  stream->connect_req_.data = stream;
  stream->inside_connect_ = true;
  if (unix_socket) {
    // libuv reports every pipe connect failure through the callback.
    uv_pipe_connect(&stream->connect_req_, &stream->handle_.pipe, target.path.c_str(),
                    on_connect_cb);
  } else {
    // Names are resolved off the loop; a literal address answers before start() returns.
    stream->resolver_ = Resolver::start(loop, target.host, target.port,
                                        [stream](int status, const sockaddr* address) {
                                          stream->resolver_ = nullptr;
                                          stream->connect_resolved(status, address);
                                        });
  }
  stream->inside_connect_ = false;
  if (stream->deferred_status_ != 0) {
    // A failure found before connect() returns is reported from the loop, once the caller
    // holds the pointer it will close.
    stream->deferred_failure_ = Timer::create(loop, [stream] {
      std::exchange(stream->deferred_failure_, nullptr)->close();
      stream->connect_failed(stream->deferred_status_);
    });
    stream->deferred_failure_->start(std::chrono::milliseconds{0});
  }
  return stream;
}

Stream* Stream::open_socket(uv_loop_t* loop, int fd, StreamObserver& observer) {
  auto* stream = create(loop, Kind::Pipe, observer);
  if (uv_pipe_open(&stream->handle_.pipe, fd) != 0) {
    stream->discard();
    return nullptr;
  }
  return stream;
}

int Stream::socket_fd() const {
  uv_os_fd_t fd = -1;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(&handle_), &fd) != 0) return -1;
  return fd;
}

std::size_t Stream::unread_bytes() const {
  const int fd = socket_fd();
  int unread = 0;
  if (fd < 0 || ioctl(fd, FIONREAD, &unread) != 0 || unread < 0) return 0;
  return static_cast<std::size_t>(unread);
}

void Stream::connect_resolved(int status, const sockaddr* address) {
  if (status == 0) {
    status = uv_tcp_connect(&connect_req_, &handle_.tcp, address, on_connect_cb);
    if (status == 0) return;
  }
  connect_failed(status);
}

void Stream::connect_failed(int status) {
  if (inside_connect_) {
    deferred_status_ = status;
    return;
  }
  if (!is_open()) return;
  if (auto done = std::exchange(connect_done_, nullptr)) done(status);
}

void Stream::on_connect_cb(uv_connect_t* req, int status) {
  static_cast<Stream*>(req->data)->connected(status);
}

void Stream::connected(int status) {
  if (!is_open()) return;  // closed meanwhile (UV_ECANCELED): nobody waits for the answer
  if (status == 0 && kind_ == Kind::Tcp) uv_tcp_nodelay(&handle_.tcp, 1);
  if (auto done = std::exchange(connect_done_, nullptr)) done(status);
}

std::string Stream::peer_name() const {
  if (kind_ == Kind::Pipe) return "unix";
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getpeername(&handle_.tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return "?";
  }
  return address_name(reinterpret_cast<const sockaddr*>(&address));
}

void Stream::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(read_buffer.data(), static_cast<unsigned int>(read_buffer.size()));
}

void Stream::set_keepalive(std::chrono::seconds idle) {
  if (kind_ != Kind::Tcp || !is_open()) return;
  uv_tcp_keepalive(&handle_.tcp, 1, static_cast<unsigned>(std::max<std::int64_t>(1, idle.count())));
}

void Stream::start_reading() {
  if (reading_ || !is_open()) return;
  if (uv_read_start(handle(), on_alloc, on_read_cb) == 0) reading_ = true;
}

void Stream::stop_reading() {
  if (!reading_) return;
  uv_read_stop(handle());
  reading_ = false;
}

void Stream::on_read_cb(uv_stream_t* handle, ssize_t nread, const uv_buf_t* buf) {
  auto* self = static_cast<Stream*>(handle->data);
  if (nread > 0) {
    self->observer_->on_read(*self, ByteView(reinterpret_cast<const std::uint8_t*>(buf->base),
                                             static_cast<std::size_t>(nread)));
  } else if (nread < 0) {
    self->stop_reading();
    self->observer_->on_read_end(*self, nread == UV_EOF ? 0 : static_cast<int>(nread));
  }
}

void Stream::write(Bytes& bytes) {
  if (bytes.empty() || !is_open()) {
    bytes.clear();
    return;
  }
  std::size_t offset = 0;
  // Most replies fit the socket buffer: write them now, with no request to allocate.
  if (queued_bytes() == 0) {
    uv_buf_t now =
        uv_buf_init(reinterpret_cast<char*>(bytes.data()), static_cast<unsigned int>(bytes.size()));
    const int written = uv_try_write(handle(), &now, 1);
    if (written > 0) offset = static_cast<std::size_t>(written);
  }
  if (offset == bytes.size()) {
    bytes.clear();
    return;
  }
  auto* request = new WriteRequest;
  request->stream = this;
  if (offset == 0) {
    request->bytes.swap(bytes);
  } else {
    request->bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(offset), bytes.end());
    bytes.clear();
  }
  request->req.data = request;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(request->bytes.data()),
                             static_cast<unsigned int>(request->bytes.size()));
  if (uv_write(&request->req, handle(), &buf, 1, on_write_cb) != 0) delete request;
}

void Stream::on_write_cb(uv_write_t* req, int status) {
  auto* request = static_cast<WriteRequest*>(req->data);
  Stream* self = request->stream;
  delete request;
  if (status == UV_ECANCELED || !self->is_open()) return;  // closing; nobody waits for it
  self->observer_->on_written(*self);
}

std::size_t Stream::queued_bytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&handle_));
}

void Stream::close_after_flush() {
  if (!is_open() || flushing_) return;
  flushing_ = true;
  stop_reading();
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, handle(), on_shutdown_cb) != 0) close();
}

// Also called with UV_ECANCELED from inside uv_close when close() cut the flush short.
void Stream::on_shutdown_cb(uv_shutdown_t* req, int) { static_cast<Stream*>(req->data)->close(); }

void Stream::close(bool reset) {
  if (!begin_close()) return;
  reading_ = false;
  connect_done_ = nullptr;
  if (resolver_ != nullptr) std::exchange(resolver_, nullptr)->cancel();
  if (deferred_failure_ != nullptr) std::exchange(deferred_failure_, nullptr)->close();
  // libuv refuses a reset once a shutdown was requested (UV_EINVAL) and would then leave the
  // handle open for ever: fall back to a plain close.
  if (reset && kind_ == Kind::Tcp && uv_tcp_close_reset(&handle_.tcp, on_close_cb) == 0) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), on_close_cb);
}

void Stream::discard() {
  observer_ = nullptr;
  close();
}

void Stream::on_close_cb(uv_handle_t* handle) {
  auto* self = static_cast<Stream*>(handle->data);
  self->finish_close();
  if (self->observer_ != nullptr) self->observer_->on_closed(*self);
  delete self;
}

}  // namespace gw::net
