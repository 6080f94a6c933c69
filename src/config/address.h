#pragma once
// Network endpoints as written in the config and on the command line:
//   "127.0.0.1:3306", "localhost:3306", "[::1]:3306" (IPv6 needs brackets), or a Unix socket
//   path, which must be absolute ("/run/mysqld/mysqld.sock").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/explained.h"
#include "core/result.h"

namespace gw::config {

struct Endpoint {
  enum class Kind { Tcp, Unix };

  Kind kind = Kind::Tcp;
  std::string host{};      // Tcp only; IPv6 without brackets
  std::uint16_t port = 0;  // Tcp only; 1..65535
  std::string path{};      // Unix only

  static Endpoint tcp(std::string host, std::uint16_t port) {
    return {Kind::Tcp, std::move(host), port, {}};
  }
  static Endpoint unix_socket(std::string path) { return {Kind::Unix, {}, 0, std::move(path)}; }

  // The form parse_endpoint() accepts, so it round-trips.
  std::string to_string() const;
  bool operator==(const Endpoint&) const = default;
};

// config_errc::invalid_value when the text is not an endpoint.
[[nodiscard]] Result<Endpoint> parse_endpoint(std::string_view text);
// The same rules, with a sentence about what is wrong, for messages naming a key or a flag.
[[nodiscard]] Explained<Endpoint> parse_endpoint_explained(std::string_view text);

// listener.address / --listen: TCP only.
[[nodiscard]] Explained<Endpoint> parse_listen_address(std::string_view text);
// admin.address / --admin: TCP only; empty text turns the admin endpoint off.
[[nodiscard]] Explained<std::optional<Endpoint>> parse_admin_address(std::string_view text);
// upstream.address / --upstream: TCP or Unix; empty text means "not configured".
[[nodiscard]] Explained<std::optional<Endpoint>> parse_upstream_address(std::string_view text);

}  // namespace gw::config
