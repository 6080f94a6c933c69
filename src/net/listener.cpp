#include "net/listener.h"

#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "net/stream.h"

namespace gw::net {

namespace {

std::string shown(const std::string& host, std::uint16_t port) {
  return Target{Target::Kind::Tcp, host, port, {}}.to_string();
}

// The address to bind: a literal, or the first address a name resolves to (start-up only).
std::expected<sockaddr_storage, std::string> bind_address(const std::string& host,
                                                          std::uint16_t port) {
  sockaddr_storage address{};
  if (literal_address(host, port, address)) return address;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return std::unexpected(fmt::format("cannot resolve listen address '{}'", host));
  }
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  if (address.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(port);
  }
  return address;
}

// A bound socket, or the libuv error of the step that failed.
std::expected<int, int> bound_socket(const sockaddr_storage& address, bool reuse_port) {
  const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(uv_translate_sys_error(errno));
  const int on = 1;
  int rc = ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (rc == 0 && reuse_port) rc = ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
  if (rc == 0) {
    const socklen_t length =
        address.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), length);
  }
  if (rc != 0) {
    const int error = uv_translate_sys_error(errno);
    ::close(fd);
    return std::unexpected(error);
  }
  return fd;
}

}  // namespace

std::expected<Listener*, std::string> Listener::start(uv_loop_t* loop, const std::string& host,
                                                      std::uint16_t port, Options options,
                                                      std::function<void(Listener&)> on_accept) {
  auto address = bind_address(host, port);
  if (!address) return std::unexpected(address.error());
  auto fd = bound_socket(*address, options.reuse_port);
  if (!fd) {
    return std::unexpected(
        fmt::format("cannot listen on {}: {}", shown(host, port), uv_reason(fd.error())));
  }
  auto* listener = new Listener(loop, std::move(on_accept));
  uv_tcp_init(loop, &listener->handle_);
  listener->handle_.data = listener;
  int rc = uv_tcp_open(&listener->handle_, *fd);
  if (rc != 0) ::close(*fd);  // not the handle's yet
  if (rc == 0) rc = uv_listen(listener->handle(), options.backlog, on_connection);
  if (rc != 0) {
    listener->close();
    return std::unexpected(
        fmt::format("cannot listen on {}: {}", shown(host, port), uv_reason(rc)));
  }
  return listener;
}

Stream* Listener::accept(StreamObserver& observer) {
  if (!is_open()) return nullptr;
  Stream* stream = Stream::create(loop_, Stream::Kind::Tcp, observer);
  if (uv_accept(handle(), stream->handle()) != 0) {
    stream->discard();
    return nullptr;
  }
  uv_tcp_nodelay(&stream->handle_.tcp, 1);
  return stream;
}

std::uint16_t Listener::port() const {
  sockaddr_storage address{};
  int length = sizeof(address);
  uv_tcp_getsockname(&handle_, reinterpret_cast<sockaddr*>(&address), &length);
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

void Listener::on_connection(uv_stream_t* server, int status) {
  if (status < 0) return;  // the next accept may well succeed; nothing to clean up
  auto* self = static_cast<Listener*>(server->data);
  if (self->is_open()) self->on_accept_(*self);
}

void Listener::close() {
  if (!begin_close()) return;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), [](uv_handle_t* handle) {
    auto* self = static_cast<Listener*>(handle->data);
    self->finish_close();
    delete self;
  });
}

}  // namespace gw::net
