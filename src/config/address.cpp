#include "config/address.h"

#include <charconv>
#include <string>

#include "core/errors.h"

namespace gw::config {
namespace {

// sockaddr_un::sun_path is 108 bytes on Linux, including the terminating NUL.
constexpr std::size_t kMaxUnixPathLength = 107;

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

bool is_ipv6_char(char c) {
  // Hex digits, separators, an embedded IPv4 tail, and a %zone suffix ("fe80::1%eth0").
  return is_host_char(c) || c == ':' || c == '%';
}

Explained<std::uint16_t> parse_port(std::string_view text, std::string_view whole) {
  if (text.empty()) return problem("missing port after ':' in " + in_quotes(whole));
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && value > 65535)) {
    return problem("port " + std::string(text) + " is out of range 1..65535");
  }
  if (ec != std::errc() || end != text.data() + text.size()) {
    return problem("port " + in_quotes(text) + " is not a number");
  }
  if (value == 0) return problem("port 0 is out of range 1..65535");
  return static_cast<std::uint16_t>(value);
}

Explained<Endpoint> parse_unix(std::string_view text) {
  if (text.size() > kMaxUnixPathLength) {
    return problem("Unix socket path is " + std::to_string(text.size()) +
                   " bytes long; the limit is " + std::to_string(kMaxUnixPathLength));
  }
  if (text.find('\0') != std::string_view::npos) {
    return problem("Unix socket path contains a NUL byte");
  }
  return Endpoint::unix_socket(std::string(text));
}

Explained<Endpoint> parse_bracketed(std::string_view text) {
  const auto close = text.find(']');
  if (close == std::string_view::npos) return problem("missing ']' in " + in_quotes(text));
  const auto host = text.substr(1, close - 1);
  if (host.empty()) return problem("empty IPv6 address in " + in_quotes(text));
  for (char c : host) {
    if (!is_ipv6_char(c)) return problem("invalid IPv6 address " + in_quotes(host));
  }
  const auto rest = text.substr(close + 1);
  if (rest.empty() || rest.front() != ':') {
    return problem("expected \":PORT\" after ']' in " + in_quotes(text));
  }
  auto port = parse_port(rest.substr(1), text);
  if (!port) return std::unexpected(port.error());
  return Endpoint::tcp(std::string(host), *port);
}

Explained<Endpoint> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return problem("expected HOST:PORT or an absolute Unix socket path, got " + in_quotes(text));
  }
  const auto host = text.substr(0, colon);
  if (host.find(':') != std::string_view::npos) {
    return problem("an IPv6 address needs brackets, like \"[::1]:3306\"; got " + in_quotes(text));
  }
  if (host.empty()) return problem("missing host before ':' in " + in_quotes(text));
  for (char c : host) {
    if (!is_host_char(c)) return problem("invalid host name " + in_quotes(host));
  }
  auto port = parse_port(text.substr(colon + 1), text);
  if (!port) return std::unexpected(port.error());
  return Endpoint::tcp(std::string(host), *port);
}

}  // namespace

std::string Endpoint::to_string() const {
  if (kind == Kind::Unix) return path;
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Explained<Endpoint> parse_endpoint_explained(std::string_view text) {
  if (text.empty()) return problem("expected HOST:PORT or an absolute Unix socket path, got \"\"");
  if (text.front() == '/') return parse_unix(text);
  if (text.front() == '[') return parse_bracketed(text);
  return parse_host_port(text);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  auto endpoint = parse_endpoint_explained(text);
  if (!endpoint) return fail(config_errc::invalid_value);
  return std::move(*endpoint);
}

Explained<Endpoint> parse_listen_address(std::string_view text) {
  auto endpoint = parse_endpoint_explained(text);
  if (endpoint && endpoint->kind != Endpoint::Kind::Tcp) {
    return problem("gracewire listens on TCP only; expected HOST:PORT, got " + in_quotes(text));
  }
  return endpoint;
}

Explained<std::optional<Endpoint>> parse_admin_address(std::string_view text) {
  if (text.empty()) return std::optional<Endpoint>();
  auto endpoint = parse_endpoint_explained(text);
  if (endpoint && endpoint->kind != Endpoint::Kind::Tcp) {
    return problem("the admin endpoint listens on TCP only; expected HOST:PORT, got " +
                   in_quotes(text));
  }
  if (!endpoint) return std::unexpected(endpoint.error());
  return std::optional<Endpoint>(std::move(*endpoint));
}

Explained<std::optional<Endpoint>> parse_upstream_address(std::string_view text) {
  if (text.empty()) return std::optional<Endpoint>();
  auto endpoint = parse_endpoint_explained(text);
  if (!endpoint) return std::unexpected(endpoint.error());
  return std::optional<Endpoint>(std::move(*endpoint));
}

}  // namespace gw::config
