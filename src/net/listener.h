#pragma once
// Listener: a listening TCP socket it creates itself (socket, SO_REUSEADDR, SO_REUSEPORT when
// asked, bind), handed to libuv only to listen: Debian's libuv 1.44 has no UV_TCP_REUSEPORT, and
// one loop per core needs several listeners on one port. on_accept runs for each pending client,
// which accept() takes. Heap object with HandleWrap's close protocol.

#include <uv.h>

#include <cstdint>
#include <expected>
#include <functional>
#include <string>

#include "net/address.h"
#include "net/handle.h"

namespace gw::net {

class Stream;
class StreamObserver;

class Listener final : public HandleWrap {
 public:
  struct Options {
    // SO_REUSEPORT: several listeners (each with it) share the port; the kernel spreads clients.
    bool reuse_port = false;
    int backlog = 511;
  };

  // Binds and listens on an IPv4 or IPv6 address or a name (resolved here, at start-up, before
  // the loop runs); on failure the error names the address and the reason.
  static std::expected<Listener*, std::string> start(uv_loop_t* loop, const std::string& host,
                                                     std::uint16_t port, Options options,
                                                     std::function<void(Listener&)> on_accept);

  // Takes the pending client, TCP_NODELAY set; nullptr when it could not be accepted (it left
  // already): the observer never hears of that one.
  Stream* accept(StreamObserver& observer);
  // The port actually bound (useful when asked for port 0).
  std::uint16_t port() const;
  // Stops listening; deleted from the close callback. Idempotent.
  void close();

 private:
  Listener(uv_loop_t* loop, std::function<void(Listener&)> on_accept)
      : loop_(loop), on_accept_(std::move(on_accept)) {}
  ~Listener() = default;
  static void on_connection(uv_stream_t* server, int status);
  uv_stream_t* handle() { return reinterpret_cast<uv_stream_t*>(&handle_); }

  uv_loop_t* loop_;
  uv_tcp_t handle_{};
  std::function<void(Listener&)> on_accept_;
};

}  // namespace gw::net
