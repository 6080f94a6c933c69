#pragma once
// Addresses as net uses them: where to connect (Target), literal IP addresses, and libuv error
// codes worded for people.

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace gw::net {

// Where to connect: TCP host:port (a name is resolved off the loop with net::Resolver) or a
// Unix socket path.
struct Target {
  enum class Kind { Tcp, Unix };
  Kind kind = Kind::Tcp;
  std::string host;  // Tcp: a name or a literal IPv4/IPv6 address (IPv6 without brackets)
  std::uint16_t port = 0;
  std::string path;  // Unix
  // "host:port", "[::1]:port" or the path.
  std::string to_string() const;
};

// Fills `out` from a literal IPv4 or IPv6 address; false when `host` is not one.
bool literal_address(const std::string& host, std::uint16_t port, sockaddr_storage& out);

// "1.2.3.4:5" or "[::1]:5"; "?" for another family.
std::string address_name(const sockaddr* address);

// True for the errors of name resolution (UV_EAI_*), as Stream::connect reports them.
bool is_resolution_error(int status);

// "connection refused (-111)" and the like, for messages shown to people.
std::string uv_reason(int status);

}  // namespace gw::net
