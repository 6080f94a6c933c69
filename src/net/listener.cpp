#include "net/listener.h"

#include <fmt/format.h>
#include <netdb.h>

#include <cstring>

namespace gw::net {

std::string uv_reason(int status) { return fmt::format("{} ({})", uv_strerror(status), -status); }

bool literal_address(const std::string& host, std::uint16_t port, sockaddr_storage& out) {
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&out)) == 0) return true;
  return uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&out)) == 0;
}

std::expected<Listener*, std::string> Listener::start(uv_loop_t* loop, const std::string& host,
                                                      std::uint16_t port, AcceptFn on_accept) {
  sockaddr_storage address{};
  if (!literal_address(host, port, address)) {
    // A name such as "localhost": take the first address the resolver gives.
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
      return std::unexpected(fmt::format("cannot resolve listen address '{}'", host));
    }
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(port);  // same offset for v6
    freeaddrinfo(found);
  }
  auto* listener = new Listener(std::move(on_accept));
  uv_tcp_init(loop, &listener->handle_);
  listener->handle_.data = listener;
  int rc = uv_tcp_bind(&listener->handle_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->handle_), 511, on_connection);
  }
  if (rc != 0) {
    listener->close();
    return std::unexpected(fmt::format("cannot listen on {}:{}: {}", host, port, uv_reason(rc)));
  }
  return listener;
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
  if (!self->closing_) self->on_accept_(server);
}

void Listener::close() {
  if (closing_) return;
  closing_ = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_),
           [](uv_handle_t* handle) { delete static_cast<Listener*>(handle->data); });
}

}  // namespace gw::net
