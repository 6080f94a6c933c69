#include "net/stream.h"

#include <array>
#include <cstring>

namespace gw::net {

struct Stream::WriteRequest {
  uv_write_t req{};
  Stream* stream = nullptr;
  Bytes bytes;
};

namespace {
// One read buffer per thread: observers consume each read before the next one is made.
constexpr std::size_t kReadBufferSize = 64 * 1024;
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

void Stream::on_alloc(uv_handle_t*, std::size_t, uv_buf_t* buf) {
  *buf = uv_buf_init(read_buffer.data(), static_cast<unsigned int>(read_buffer.size()));
}

void Stream::start_reading() {
  if (reading_ || closing_) return;
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
    self->observer_.on_read(*self, ByteView(reinterpret_cast<const std::uint8_t*>(buf->base),
                                            static_cast<std::size_t>(nread)));
  } else if (nread < 0) {
    self->stop_reading();
    self->observer_.on_read_end(*self, nread == UV_EOF ? 0 : static_cast<int>(nread));
  }
}

void Stream::write(Bytes& bytes) {
  if (bytes.empty() || closing_) {
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
  if (status == UV_ECANCELED) return;  // the handle is closing; nobody waits for this write
  self->observer_.on_written(*self);
}

std::size_t Stream::queued_bytes() const {
  return uv_stream_get_write_queue_size(reinterpret_cast<const uv_stream_t*>(&handle_));
}

void Stream::close_after_flush() {
  if (closing_ || flushing_) return;
  flushing_ = true;
  stop_reading();
  shutdown_req_.data = this;
  if (uv_shutdown(&shutdown_req_, handle(), on_shutdown_cb) != 0) close();
}

void Stream::on_shutdown_cb(uv_shutdown_t* req, int) { static_cast<Stream*>(req->data)->close(); }

void Stream::close(bool reset) {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  if (reset && kind_ == Kind::Tcp) {
    uv_tcp_close_reset(&handle_.tcp, on_close_cb);
    return;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), on_close_cb);
}

void Stream::on_close_cb(uv_handle_t* handle) {
  auto* self = static_cast<Stream*>(handle->data);
  self->observer_.on_closed(*self);
  delete self;
}

}  // namespace gw::net
