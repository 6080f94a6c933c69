#pragma once
// Resolver: turns an upstream's "HOST:PORT" into a socket address for uv_tcp_connect, the same way
// for every connection gracewire opens (client sessions and the control connection). A literal
// IPv4/IPv6 address is answered at once; a name goes through uv_getaddrinfo, which runs on
// libuv's thread pool, never blocking the loop. Heap object; deletes itself after its callback.

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

namespace gw::net {

class Resolver {
 public:
  // status 0 with the first address found, or a libuv error (UV_EAI_NONAME, …) and nullptr.
  using Done = std::function<void(int status, const sockaddr* address)>;

  // Calls `done` exactly once unless cancel() comes first: before returning (and then returns
  // nullptr) for a literal address or a request that could not start, otherwise from the loop.
  static Resolver* start(uv_loop_t* loop, const std::string& host, std::uint16_t port, Done done);
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // `done` will not be called; the request still finishes on the thread pool and frees itself.
  // The caller must forget its pointer.
  void cancel();

 private:
  explicit Resolver(Done done) : done_(std::move(done)) {}
  ~Resolver() = default;
  static void on_resolved(uv_getaddrinfo_t* req, int status, addrinfo* result);

  uv_getaddrinfo_t req_{};
  Done done_;
};

}  // namespace gw::net
