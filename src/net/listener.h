#pragma once
// Listener: a listening TCP socket. Each accepted connection is handed to on_accept, which
// must uv_accept() it into a stream of its own. Heap object, deleted in its close callback.

#include <uv.h>

#include <functional>
#include <string>

#include "core/result.h"

namespace gw::net {

class Listener {
 public:
  using AcceptFn = std::function<void(uv_stream_t* server)>;

  // Binds and listens; on failure the error names the address and libuv's reason.
  static std::expected<Listener*, std::string> start(uv_loop_t* loop, const std::string& host,
                                                     std::uint16_t port, AcceptFn on_accept);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // The port actually bound (useful when asked for port 0).
  std::uint16_t port() const;
  void close();

 private:
  explicit Listener(AcceptFn on_accept) : on_accept_(std::move(on_accept)) {}
  ~Listener() = default;
  static void on_connection(uv_stream_t* server, int status);

  uv_tcp_t handle_{};
  AcceptFn on_accept_;
  bool closing_ = false;
};

// Fills `out` from a literal IPv4 or IPv6 address; false when `host` is not one.
bool literal_address(const std::string& host, std::uint16_t port, sockaddr_storage& out);

// "Connection refused" and the like, for messages shown to people.
std::string uv_reason(int status);

}  // namespace gw::net
